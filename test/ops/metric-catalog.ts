import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One metric the code registers: its full name, type and label names. */
export interface MetricDefinition {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  labels: string[];
}

export const ROOT = join(__dirname, '..', '..');
const METRIC_PREFIX = 'chat_assistant_';

/**
 * The metrics declared in apps/ and libs/ (non-spec sources), read from the source text:
 * `new Counter({ name: `${METRIC_PREFIX}x`, labelNames: [...] })` or the worker's `name('x')`.
 * Reading the code (not a running registry) also finds metrics registered only in some apps.
 */
export function metricCatalog(): Map<string, MetricDefinition> {
  const catalog = new Map<string, MetricDefinition>();
  for (const file of sourceFiles(join(ROOT, 'apps')).concat(sourceFiles(join(ROOT, 'libs')))) {
    const text = readFileSync(file, 'utf8');
    const starts = [...text.matchAll(/new (Counter|Gauge|Histogram|Summary)\b[^(]*\(\{/g)];
    starts.forEach((start, i) => {
      // The declaration runs to the next one (or a bounded window): enough for name and labelNames.
      const end = Math.min(starts[i + 1]?.index ?? text.length, start.index + 1500);
      const body = text.slice(start.index, end);
      const name = /name:\s*(?:`\$\{METRIC_PREFIX\}([a-z0-9_]+)`|name\('([a-z0-9_]+)'\))/.exec(body);
      if (!name) return;
      const labels = /labelNames:\s*\[([^\]]*)\]/.exec(body)?.[1] ?? '';
      const full = METRIC_PREFIX + (name[1] ?? name[2]);
      catalog.set(full, {
        name: full,
        type: start[1].toLowerCase() as MetricDefinition['type'],
        labels: [...labels.matchAll(/'([a-zA-Z_][a-zA-Z0-9_]*)'/g)].map((m) => m[1]),
      });
    });
  }
  return catalog;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts'))
    .map((e) => join(e.parentPath, e.name));
}
