import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runKnowledgeCli } from '../../apps/knowledge/src/knowledge-cli';

/** The stores every knowledge guarantee is proven on. */
export const STORES = ['local', 'openai'] as const;
export type StoreKind = (typeof STORES)[number];

export const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples', 'knowledge');

/** A private copy of examples/knowledge that a test may edit. */
export async function copyOfExamples(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'knowledge-'));
  await cp(EXAMPLES_DIR, dir, { recursive: true });
  return dir;
}

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

/** Runs `knowledge <argv…>` in this process with exactly `env` (nothing from the shell). */
export async function knowledgeCli(env: Record<string, string>, ...argv: string[]): Promise<CliRun> {
  const run: CliRun = { code: -1, out: [], err: [] };
  run.code = await runKnowledgeCli(argv, { out: (l) => run.out.push(l), err: (l) => run.err.push(l) }, env);
  return run;
}

/** The last line of a sync: its counts. */
export function syncCounts(run: CliRun): Record<string, number> {
  const line = run.out.at(-1) ?? '';
  const counts: Record<string, number> = {};
  for (const [, n, what] of line.matchAll(/(\d+) (added|replaced|unchanged|removed|failed)/g)) counts[what] = Number(n);
  return counts;
}
