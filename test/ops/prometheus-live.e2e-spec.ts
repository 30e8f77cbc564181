import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import request from 'supertest';
import { newMessageEvent, signedHeaders } from '../support/api-harness';
import { listenLocally } from '../support/raw-http';
import { freePort } from '../support/redis-server';
import { SystemHarness } from '../support/system-harness';
import { ROOT } from './metric-catalog';

// A real Prometheus (Debian's `prometheus` package, as promtool) scrapes the real api and worker
// and evaluates ops/prometheus/alerts.yml; then every dashboard query runs against it. The only
// change to ops/prometheus/prometheus.yml: static targets instead of Docker's DNS, a 1 s interval.
const PROMETHEUS = process.env.PROMETHEUS_PATH ?? 'prometheus';

interface PromAnswer<T> {
  status: string;
  error?: string;
  data: T;
}

describe('a real Prometheus with the profile config, against the running api and worker', () => {
  let h: SystemHarness;
  let prometheus: ChildProcess | undefined;
  let output = '';
  let base = '';
  let dir = '';

  const api = async <T>(path: string): Promise<PromAnswer<T>> =>
    (await fetch(`${base}${path}`)).json() as Promise<PromAnswer<T>>;
  const query = (expr: string) => api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);

  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; prometheus said:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    h = await SystemHarness.start();
    const apiPort = await listenLocally(h.api.getHttpServer());
    const workerPort = await listenLocally(h.worker!.getHttpServer());
    const config = load(readFileSync(join(ROOT, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
      global: Record<string, string>;
      rule_files: string[];
      scrape_configs: { job_name: string; dns_sd_configs?: unknown; static_configs?: unknown }[];
    };
    config.global = { scrape_interval: '1s', evaluation_interval: '1s' };
    config.rule_files = config.rule_files.map((f) => join(ROOT, 'ops/prometheus', f));
    for (const job of config.scrape_configs) {
      const port = job.job_name === 'api' ? apiPort : workerPort;
      delete job.dns_sd_configs;
      job.static_configs = [{ targets: [`127.0.0.1:${port}`] }];
    }
    dir = mkdtempSync(join(tmpdir(), 'prometheus-live-'));
    writeFileSync(join(dir, 'prometheus.yml'), dump(config));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    prometheus.on('error', (err) => (output += `\n${String(err)}`));
    prometheus.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    // Some traffic so counters move between scrapes.
    const body = JSON.stringify([newMessageEvent()]);
    await request(h.api.getHttpServer()).post('/webhooks/hubspot').set(signedHeaders(body)).send(body).expect(200);
    await until('both targets up', async () => {
      const up = await query('sum(up{job=~"api|worker"})');
      return (up.data.result[0] as { value: [number, string] } | undefined)?.value[1] === '2' ? true : undefined;
    });
    // rate() needs two samples of each series.
    await new Promise((r) => setTimeout(r, 2500));
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    await h?.stop();
  });

  it('loads every alert rule group and evaluates each rule without an error', async () => {
    const expected = (
      load(readFileSync(join(ROOT, 'ops/prometheus/alerts.yml'), 'utf8')) as { groups: { rules: unknown[] }[] }
    ).groups.flatMap((g) => g.rules).length;
    const rules = await until('every rule evaluated', async () => {
      const answer = await api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>(
        '/api/v1/rules',
      );
      const all = answer.data.groups.flatMap((g) => g.rules);
      return all.length === expected && all.every((r) => r.health !== 'unknown') ? all : undefined;
    });
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
  });

  it('runs every dashboard query without an error, and the rows of existing metrics show data', async () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'ops/grafana/dashboards/chat-assistant.json'), 'utf8'));
    const problems: string[] = [];
    const empty: string[] = [];
    let row = '';
    for (const panel of dashboard.panels as { type: string; title: string; targets?: { expr: string }[] }[]) {
      if (panel.type === 'row') row = panel.title;
      for (const { expr } of panel.targets ?? []) {
        const answer = await query(expr.replace(/\$__rate_interval/g, '5s').replace(/\$__range/g, '1h'));
        if (answer.status !== 'success') problems.push(`${panel.title}: ${answer.error}`);
        else if (answer.data.result.length === 0) empty.push(`${row} / ${panel.title}`);
      }
    }
    expect(problems).toEqual([]);
    // Counters known from boot are exported at 0, so these panels have series on a fresh system.
    for (const panel of [
      'Webhook requests by status',
      'Webhook events by outcome',
      'Turns by outcome',
      'Jobs by outcome',
      'Targets up',
      'Model tokens by direction',
      'Handoffs by reason',
    ]) {
      expect(empty).not.toContainEqual(expect.stringContaining(`/ ${panel}`));
    }
  });
});
