import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { SystemHarness } from '../support/system-harness';
import { metricCatalog } from './metric-catalog';

// The catalog that test/ops/observability-config checks the rules and the dashboard against is
// read from the source; here it is held against what the running api and worker really expose,
// and promtool lints both expositions as Prometheus would ingest them.
const PROMTOOL = process.env.PROMTOOL_PATH ?? 'promtool';

interface Exposed {
  types: Map<string, string>;
  /** Label names seen per series name (sample lines). */
  labels: Map<string, Set<string>>;
}

function parse(text: string): Exposed {
  const types = new Map<string, string>();
  const labels = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!sample) continue;
    const seen = labels.get(sample[1]) ?? new Set<string>();
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) seen.add(m[1]);
    labels.set(sample[1], seen);
  }
  return { types, labels };
}

describe('the metric catalog matches what the running apps expose', () => {
  let h: SystemHarness;
  const texts: Record<'api' | 'worker', string> = { api: '', worker: '' };
  beforeAll(async () => {
    h = await SystemHarness.start();
    texts.api = (await request(h.api.getHttpServer()).get('/metrics').expect(200)).text;
    texts.worker = (await request(h.worker!.getHttpServer()).get('/metrics').expect(200)).text;
  });
  afterAll(() => h?.stop());

  it('every metric the code declares is exposed by the api or the worker, with its type and only its labels', () => {
    const api = parse(texts.api);
    const worker = parse(texts.worker);
    const problems: string[] = [];
    for (const def of metricCatalog().values()) {
      const exposedType = api.types.get(def.name) ?? worker.types.get(def.name);
      if (exposedType !== def.type) problems.push(`${def.name}: exposed as ${exposedType}, declared ${def.type}`);
      const allowed = new Set([...def.labels, 'le', 'quantile']);
      for (const series of [`${def.name}`, `${def.name}_bucket`, `${def.name}_count`]) {
        const seen = [...(api.labels.get(series) ?? []), ...(worker.labels.get(series) ?? [])];
        for (const label of seen) if (!allowed.has(label)) problems.push(`${series}: label ${label} not declared`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every chat_assistant_ metric the apps expose is in the catalog (the source reader misses none)', () => {
    const catalog = metricCatalog();
    const exposed = [...parse(texts.api).types.keys(), ...parse(texts.worker).types.keys()];
    const ours = exposed.filter((name) => name.startsWith('chat_assistant_'));
    expect(ours.length).toBeGreaterThanOrEqual(30);
    expect(ours.filter((name) => !catalog.has(name))).toEqual([]);
  });

  it('promtool reads both expositions without a lint problem', () => {
    for (const text of Object.values(texts)) {
      let out: string;
      try {
        out = execFileSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        const e = err as { code?: string; stdout?: string; stderr?: string };
        if (e.code === 'ENOENT')
          throw new Error(`${PROMTOOL} not found: apt-get install prometheus (or set PROMTOOL_PATH)`);
        out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      }
      // prom-client's own Node gauges (nodejs_active_handles_total, …) carry a _total promtool dislikes;
      // they are not ours to rename. Anything else, parse errors included, is a problem.
      const problems = out.split('\n').filter((l) => l.trim() && !/^(nodejs|process)_\S+ /.test(l));
      expect(problems).toEqual([]);
    }
  });
});
