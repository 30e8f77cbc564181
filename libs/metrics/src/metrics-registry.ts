import { collectDefaultMetrics, Registry } from 'prom-client';

/** The app's prom-client Registry (injection token). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/**
 * Our metric names: `chat_assistant_<what>_<unit>` (`_total` for counters, `_seconds` for
 * durations); labels are small fixed sets, never ids or free text. Node's process metrics keep
 * their standard unprefixed names (`process_*`, `nodejs_*`) so stock dashboards work.
 */
export const METRIC_PREFIX = 'chat_assistant_';

/**
 * A fresh Registry with Node's process metrics, one per app instance (one per process in
 * production). Never prom-client's global registry: tests run the api and the worker in one process.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
