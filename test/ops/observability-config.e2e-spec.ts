import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { grafanaDashboardSchema } from './grafana-dashboard.schema';
import { metricCatalog, ROOT, type MetricDefinition } from './metric-catalog';
import { exprProblems, PENDING_OUTCOME_METRICS } from './observability-refs';

// The compose `observability` profile's files: Prometheus config and alert rules, Grafana
// provisioning and dashboard. promtool comes from Debian's `prometheus` package (.ci/run installs it).
const PROMTOOL = process.env.PROMTOOL_PATH ?? 'promtool';
const ops = (...p: string[]) => join(ROOT, 'ops', ...p);
/** A parsed YAML file, typed as far as these checks read it. */
const yaml = <T>(path: string): T => load(readFileSync(path, 'utf8')) as T;

interface ComposeService {
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  command?: string[];
  environment?: Record<string, string>;
  container_name?: string;
}
interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface ScrapeJob {
  job_name: string;
  metrics_path: string;
  dns_sd_configs: { names: string[]; type: string; port: number }[];
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  gridPos: { x: number; w: number };
  targets?: { expr: string }[];
}

const catalog = metricCatalog();
const withPending = new Map<string, MetricDefinition>(PENDING_OUTCOME_METRICS.map((m) => [m.name, m]));
for (const [name, def] of catalog) withPending.set(name, def);

const rules = yaml<{ groups: { rules: Rule[] }[] }>(ops('prometheus', 'alerts.yml')).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(readFileSync(ops('grafana', 'dashboards', 'chat-assistant.json'), 'utf8'));
const panels: Panel[] = dashboard.panels;
const compose = yaml<{ services: Record<string, ComposeService> }>(join(ROOT, 'docker-compose.yml'));

function promtool(...args: string[]): string {
  try {
    return execFileSync(PROMTOOL, args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error(`${PROMTOOL} not found: apt-get install prometheus (or set PROMTOOL_PATH)`);
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Panels grouped under the row panel that precedes them (rows are not collapsed). */
function rows(): Map<string, Panel[]> {
  const byRow = new Map<string, Panel[]>();
  let current = '';
  for (const panel of panels) {
    if (panel.type === 'row') byRow.set((current = panel.title), []);
    else byRow.get(current)!.push(panel);
  }
  return byRow;
}

describe('observability profile (Prometheus + Grafana)', () => {
  it('reads the metrics the code registers, with their labels', () => {
    expect(catalog.get('chat_assistant_webhook_requests_total')).toEqual({
      name: 'chat_assistant_webhook_requests_total',
      type: 'counter',
      labels: ['status'],
    });
    expect(catalog.get('chat_assistant_turn_latency_seconds')?.type).toBe('histogram');
    expect(catalog.get('chat_assistant_queue_jobs')).toMatchObject({ type: 'gauge', labels: ['state'] });
    expect(catalog.size).toBeGreaterThanOrEqual(30);
  });

  it('the expression check rejects unknown series, wrong labels and misspellings', () => {
    expect(
      exprProblems('sum by (status) (rate(chat_assistant_webhook_requests_total{status="503"}[5m]))', catalog),
    ).toEqual([]);
    expect(exprProblems('rate(chat_assistant_webhook_request_total[5m])', catalog)).toEqual([
      'unknown series chat_assistant_webhook_request_total',
    ]);
    expect(exprProblems('rate(chat_assistant_turns_total{reason="x"}[5m])', catalog)).toEqual([
      'chat_assistant_turns_total has no label reason',
    ]);
    expect(exprProblems('sum by (tool) (rate(chat_assistant_turns_total[5m]))', catalog)).toEqual([
      'grouping by unknown label tool',
    ]);
    expect(exprProblems('rate(chat_assistant_queue_jobs_bucket[5m])', catalog)).toEqual([
      'unknown series chat_assistant_queue_jobs_bucket',
    ]);
  });

  it('promtool accepts the Prometheus config, its rule file and the rules unit tests', () => {
    expect(promtool('check', 'config', 'ops/prometheus/prometheus.yml')).toMatch(/SUCCESS: 1 rule files found/);
    expect(promtool('check', 'rules', 'ops/prometheus/alerts.yml')).toMatch(/SUCCESS: \d+ rules found/);
    expect(promtool('test', 'rules', 'ops/prometheus/alerts.test.yml')).toMatch(/SUCCESS/);
  });

  it("promtool's PromQL parser accepts every panel query (as recording rules, Grafana's variables filled in)", () => {
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(40);
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-rules-'));
    try {
      const rulesFile = join(dir, 'panels.yml');
      const filled = (expr: string) => expr.replace(/\$__rate_interval/g, '1m').replace(/\$__range/g, '1d');
      const groups = [
        { name: 'panels', rules: exprs.map((expr, i) => ({ record: `panel:query_${i}`, expr: filled(expr) })) },
      ];
      writeFileSync(rulesFile, dump({ groups }));
      expect(promtool('check', 'rules', rulesFile)).toContain(`SUCCESS: ${exprs.length} rules found`);
      // The parser is the real one: a broken query fails.
      writeFileSync(
        rulesFile,
        dump({ groups: [{ name: 'p', rules: [{ record: 'panel:bad', expr: 'sum by (le (rate(x[1m]))' }] }] }),
      );
      expect(() => promtool('check', 'rules', rulesFile)).toThrow(/promtool check rules .* failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Prometheus scrapes the api and every worker replica by service DNS name, on the ports compose sets', () => {
    const config = yaml<{ rule_files: string[]; scrape_configs: ScrapeJob[] }>(ops('prometheus', 'prometheus.yml'));
    expect(config.rule_files).toEqual(['alerts.yml']);
    const job = (name: string) => config.scrape_configs.find((j) => j.job_name === name)!;
    expect(job('api').dns_sd_configs).toEqual([
      expect.objectContaining({ names: ['api'], type: 'A', port: Number(compose.services.api.environment!.PORT) }),
    ]);
    expect(job('worker').dns_sd_configs).toEqual([
      expect.objectContaining({
        names: ['worker'],
        type: 'A',
        port: Number(compose.services.worker.environment!.WORKER_HTTP_PORT),
      }),
    ]);
    for (const name of ['api', 'worker']) expect(job(name).metrics_path).toBe('/metrics');
    // A fixed container name or a published port would stop `--scale worker=N`.
    expect(compose.services.worker.container_name).toBeUndefined();
    expect(compose.services.worker.ports).toBeUndefined();
  });

  it('every alert rule selects existing metrics and labels, and says what to do', () => {
    expect(rules.length).toBeGreaterThanOrEqual(20);
    const problems = rules.flatMap((r) => exprProblems(r.expr, catalog).map((p) => `${r.alert}: ${p}`));
    expect(problems).toEqual([]);
    for (const rule of rules) {
      expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.runbook).toMatch(/^README Operations \(runbook\)/);
    }
  });

  it('every metric in the README runbook table has an alert rule', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = /\*\*Metrics to alert on\*\*[^\n]*\n\n((?:\|.*\n)+)/.exec(readme);
    expect(table).not.toBeNull();
    const names = table![1]
      .split('\n')
      .slice(2)
      .flatMap((line) =>
        [...(line.split('|')[1] ?? '').matchAll(/`([a-z0-9_]+)`/g)].map((m) => `chat_assistant_${m[1]}`),
      );
    expect(names.length).toBeGreaterThanOrEqual(20);
    const referenced = rules.map((r) => r.expr).join('\n');
    const missing = names.filter((n) => !new RegExp(`\\b${n}(_bucket|_sum|_count)?\\b`).test(referenced));
    expect({ unknownInCode: names.filter((n) => !catalog.has(n)), withoutAlert: missing }).toEqual({
      unknownInCode: [],
      withoutAlert: [],
    });
  });

  it("the dashboard has the issue's rows, and every panel queries existing metrics from the provisioned datasource", () => {
    const datasource = yaml<{ datasources: { uid: string }[] }>(
      ops('grafana', 'provisioning', 'datasources', 'prometheus.yml'),
    ).datasources[0];
    expect(datasource).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    expect(dashboard.uid).toBe('chat-assistant');
    const titles = [...rows().keys()].join(' | ');
    for (const row of [
      'Webhooks',
      'Queue',
      'Turns and latency',
      'Upstream',
      'Budgets',
      'Costs',
      'Knowledge',
      'Outcomes',
    ]) {
      expect(titles).toContain(row);
    }
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const problems: string[] = [];
    for (const [row, inRow] of rows()) {
      const known = row.startsWith('Outcomes') ? withPending : catalog; // withPending: nothing pending now
      for (const panel of inRow) {
        if (panel.datasource?.uid !== datasource.uid)
          problems.push(`${panel.title}: datasource ${panel.datasource?.uid}`);
        if (!panel.targets?.length) problems.push(`${panel.title}: no query`);
        if (panel.gridPos.x + panel.gridPos.w > 24) problems.push(`${panel.title}: wider than the grid`);
        for (const t of panel.targets ?? [])
          problems.push(...exprProblems(t.expr, known).map((p) => `${panel.title}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it("the dashboard JSON fits Grafana's dashboard model (core panels, a query per target, the grid)", () => {
    const result = grafanaDashboardSchema.safeParse(dashboard);
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
    // The schema itself can fail: a panel of a plugin type and a target without a query.
    const broken = structuredClone(dashboard);
    broken.panels[1].type = 'grafana-piechart-panel';
    delete broken.panels[2].targets[0].expr;
    expect(grafanaDashboardSchema.safeParse(broken).error?.issues.map((i) => i.path.join('.'))).toEqual([
      'panels.1',
      'panels.2',
    ]);
  });

  it('the Outcomes row reads the outcome metrics of the worker', () => {
    const [, outcomes] = [...rows()].find(([t]) => t.startsWith('Outcomes'))!;
    const exprs = outcomes.flatMap((p) => p.targets!.map((t) => t.expr)).join('\n');
    for (const name of [
      'chat_assistant_conversations_total',
      'chat_assistant_feedback_total',
      'chat_assistant_resolved_conversation_tokens_total',
    ]) {
      expect(exprs).toContain(name);
    }
    for (const panel of ['Resolution rate', 'CSAT', 'Handoffs by category', 'Conversations by outcome']) {
      expect(outcomes.map((p) => p.title)).toContain(panel);
    }
  });

  it('compose: the observability profile runs Prometheus and Grafana on loopback with the provisioned files', () => {
    const { prometheus, grafana } = compose.services;
    for (const service of [prometheus, grafana]) {
      expect(service.profiles).toEqual(['observability']);
      for (const port of service.ports!) expect(port).toMatch(/^127\.0\.0\.1:/);
      for (const volume of service.volumes!) {
        const source = volume.split(':')[0];
        if (source.startsWith('./')) expect(existsSync(join(ROOT, source))).toBe(true);
      }
    }
    // Only these two services carry the profile; the apps start with or without it.
    const profiled = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('observability'));
    expect(profiled.map(([name]) => name).sort()).toEqual(['grafana', 'prometheus']);
    expect(prometheus.volumes).toContain('./ops/prometheus:/etc/prometheus:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const provider = yaml<{ providers: { options: { path: string } }[] }>(
      ops('grafana', 'provisioning', 'dashboards', 'chat-assistant.yml'),
    ).providers[0];
    expect(grafana.volumes).toContain(`./ops/grafana/dashboards:${provider.options.path}:ro`);
    expect(grafana.volumes).toContain('./ops/grafana/provisioning:/etc/grafana/provisioning:ro');
  });

  it('compose: Grafana is told to make no request to outside hosts', () => {
    expect(compose.services.grafana.environment).toMatchObject({
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
      GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
      GF_SECURITY_DISABLE_GRAVATAR: 'true',
      GF_SNAPSHOTS_EXTERNAL_ENABLED: 'false',
      GF_NEWS_NEWS_FEED_ENABLED: 'false',
      GF_PLUGINS_PLUGIN_ADMIN_ENABLED: 'false',
      GF_PLUGINS_PREINSTALL_DISABLED: 'true',
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
    });
  });
});
