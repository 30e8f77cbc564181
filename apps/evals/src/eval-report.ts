import type { ScenarioResult } from './scenario-runner';

/** eval-report.json: one run. */
export interface EvalReport {
  startedAt: string;
  finishedAt: string;
  /** What answered: the demo model's label, or the configured model. */
  model: { kind: string; label: string };
  /** Required share of passing scenarios (0–1). */
  threshold: number;
  total: number;
  passed: number;
  passRate: number;
  /** passRate >= threshold. */
  ok: boolean;
  tokens: number;
  scenarios: ScenarioResult[];
}

export function summarize(
  results: ScenarioResult[],
  meta: Pick<EvalReport, 'startedAt' | 'model' | 'threshold'>,
): EvalReport {
  const passed = results.filter((r) => r.passed).length;
  const passRate = results.length ? passed / results.length : 0;
  return {
    ...meta,
    finishedAt: new Date().toISOString(),
    total: results.length,
    passed,
    passRate,
    ok: results.length > 0 && passRate >= meta.threshold,
    tokens: results.reduce((n, r) => n + r.tokens, 0),
    scenarios: results,
  };
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The terminal table: scenario, pass/fail, why, tokens, latency; then each failure in full. */
export function formatTable(report: EvalReport, width = 150): string {
  const rows = report.scenarios.map((r) => [
    r.name,
    r.passed ? 'pass' : 'FAIL',
    r.passed ? (r.judged?.verdict === 'not judged' ? 'rubric not judged' : '') : r.failures[0],
    String(r.tokens),
    `${(r.latencyMs / 1000).toFixed(1)}s`,
  ]);
  const head = ['scenario', 'result', 'why', 'tokens', 'latency'];
  const nameW = Math.max(head[0].length, ...rows.map((r) => r[0].length));
  const whyW = Math.max(20, width - nameW - 6 - 8 - 8 - 8);
  const line = (c: string[]) =>
    [c[0].padEnd(nameW), c[1].padEnd(6), clip(c[2], whyW).padEnd(whyW), c[3].padStart(7), c[4].padStart(8)].join('  ');
  const out = [line(head), '-'.repeat(nameW + 6 + whyW + 7 + 8 + 8), ...rows.map(line)];
  const failed = report.scenarios.filter((r) => !r.passed);
  if (failed.length) {
    out.push('', 'Failures:');
    for (const r of failed) out.push(`  ${r.name} (${r.file})`, ...r.failures.map((f) => `    - ${f}`));
  }
  out.push(
    '',
    `${report.passed}/${report.total} passed (${(report.passRate * 100).toFixed(1)}%, threshold ${(report.threshold * 100).toFixed(0)}%) ` +
      `with ${report.model.label}; ${report.tokens} tokens; ${report.ok ? 'OK' : 'BELOW THRESHOLD'}`,
  );
  return out.join('\n');
}
