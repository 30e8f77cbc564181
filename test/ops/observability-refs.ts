import { type MetricDefinition } from './metric-catalog';
import { promqlRefs } from './promql-refs';

/** Series Prometheus makes itself: scrape health and the alert state series. */
const BUILT_IN: Record<string, string[]> = {
  up: [],
  ALERTS: ['alertname', 'alertstate', 'severity'],
};
/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];

/** Series a dashboard may use before the code registers them (none: the outcome metrics exist). */
export const PENDING_OUTCOME_METRICS: MetricDefinition[] = [];

/**
 * Problems of one expression against the metrics that exist: unknown series, a `_bucket` of a
 * non-histogram, matcher or grouping labels the series do not have. Empty = fine.
 */
export function exprProblems(expr: string, known: Map<string, MetricDefinition>): string[] {
  const problems: string[] = [];
  const { selectors, grouping } = promqlRefs(expr);
  const available = new Set(TARGET_LABELS);
  if (selectors.length === 0) problems.push('selects no series');
  for (const { metric, labels } of selectors) {
    const labelSet = labelsOf(metric, known);
    if (!labelSet) {
      problems.push(`unknown series ${metric || '(nameless selector)'}`);
      continue;
    }
    labelSet.forEach((l) => available.add(l));
    for (const label of labels) {
      if (!labelSet.includes(label) && !TARGET_LABELS.includes(label)) problems.push(`${metric} has no label ${label}`);
    }
  }
  for (const label of grouping) if (!available.has(label)) problems.push(`grouping by unknown label ${label}`);
  return problems;
}

function labelsOf(series: string, known: Map<string, MetricDefinition>): string[] | undefined {
  if (series in BUILT_IN) return BUILT_IN[series];
  const exact = known.get(series);
  if (exact) return exact.type === 'histogram' || exact.type === 'summary' ? undefined : exact.labels;
  const base = /^(.+)_(bucket|sum|count)$/.exec(series);
  const def = base && known.get(base[1]);
  if (!def || (def.type !== 'histogram' && def.type !== 'summary')) return undefined;
  return base[2] === 'bucket' ? [...def.labels, 'le'] : def.labels;
}
