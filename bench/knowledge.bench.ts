/**
 * Knowledge benchmark: the local store's search latency on a generated corpus, its size in Redis, the
 * tokens a knowledge answer adds to a turn, and an unchanged sync of examples/knowledge.
 *
 *   npm run bench:knowledge
 *     = npm run build && tsc -p bench/tsconfig.json && node .tools/bench-build/bench/knowledge.bench.js [flags]
 *
 * Flags: --chunks 2000 (≥ 2,000 for the recorded figures) --queries 2000 --syncs 5 --seed 1 --no-write
 *
 * - Sync: the built command (dist/apps/knowledge/main.js) syncs examples/knowledge into a throwaway
 *   redis-server once, then --syncs times unchanged: wall time of the process (boot included) and the
 *   time the command reports for the sync itself. Target: ≤ 1 s.
 * - Tokens: what search_knowledge adds to a turn on the example folder (o200k): its definition (sent with
 *   every model call of a profile that allows it), a call and its output for a typical question, and the
 *   sources appended to the reply.
 * - Search: a corpus of --chunks chunks (seeded; English, Romanian and Dutch words, ~60 words each) stored
 *   through the local store, then --queries searches of 3–6 words (half taken from one chunk, half random)
 *   through the same store (one GET of the index version per search, as in the worker): p50/p99/max in ms. Target: p99 ≤ 20 ms. Index size:
 *   MEMORY USAGE of the store's keys.
 */
import './knowledge-resolve';
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { RedisKeys } from '../libs/redis/src/redis-keys';
import type { KnowledgeConfig } from '../apps/worker/src/config/config-sections';
import { citedSources, sourcesBlock } from '../apps/worker/src/knowledge/citations';
import type { KnowledgeDocument } from '../apps/worker/src/knowledge/knowledge-store';
import { LocalKnowledgeStore } from '../apps/worker/src/knowledge/local/local-knowledge.store';
import { KnowledgeMetrics } from '../apps/worker/src/metrics/knowledge-metrics.service';
import { SearchKnowledgeTool } from '../apps/worker/src/tools/search-knowledge.tool';
import { strictJsonSchema } from '../apps/worker/src/tools/strict-json-schema';
import { commandLine, fmt, machine, pct, publish, ROOT, startRedisServer, stop, usage } from './bench-support';

const SECTION = '## Knowledge (npm run bench:knowledge)';
const CLI = path.join(ROOT, 'dist/apps/knowledge/main.js');
const EXAMPLES = path.join(ROOT, 'examples/knowledge');
const QUESTION = 'How long does delivery take in Romania?';

const { values: args } = parseArgs({
  options: {
    chunks: { type: 'string', default: '2000' },
    queries: { type: 'string', default: '2000' },
    syncs: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'no-write': { type: 'boolean', default: false },
  },
});
const { int, fail } = usage('bench:knowledge');
const chunks = int('chunks', args.chunks, 10);
const queries = int('queries', args.queries, 10);
const syncs = int('syncs', args.syncs, 1);
let seed = int('seed', args.seed, 0);
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

const WORDS = (
  'delivery courier warehouse order refund return invoice warranty kettle toaster descaling price discount ' +
  'payment card transfer showroom opening hours holiday weekend account password newsletter subscription ' +
  'livrare comanda factura garantie ceainic retur plata card transfer program sarbatoare cont parola abonament ' +
  'bezorging bestelling factuur garantie waterkoker retour betaling kaart openingstijden feestdag account ' +
  'wachtwoord nieuwsbrief abonnement size colour material cotton leather steel glass voltage cable plug'
).split(' ');
// Plus 1,500 made-up words (seeded syllables), so a corpus has a realistic spread of rare terms.
const SYLLABLES = 'ka lo mi ne ra su te vo pa ri de ba lu co fi ge ho ju ze xa'.split(' ');
for (let i = 0; i < 1500; i++) {
  WORDS.push(Array.from({ length: 2 + Math.floor(random() * 3) }, () => SYLLABLES[Math.floor(random() * 20)]).join(''));
}
const pick = () => WORDS[Math.floor(random() * WORDS.length)];
const words = (n: number) => Array.from({ length: n }, pick).join(' ');

const config: KnowledgeConfig = {
  store: 'local',
  maxResults: 4,
  minScore: 0.3,
  localMinMatch: 0.5,
  maxFileBytes: 20 * 1024 * 1024,
  gapRetentionSeconds: 86_400,
};

async function main(): Promise<void> {
  if (!existsSync(CLI)) fail(`${path.relative(ROOT, CLI)} is missing: npm run build first`);
  const redisServer = await startRedisServer([], process.env);
  const redis = new Redis(redisServer.url);
  const lines: string[] = [];
  try {
    const env = {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redisServer.url,
      LOG_LEVEL: 'warn',
      KNOWLEDGE_STORE: 'local',
    };
    const sync = () => {
      const started = performance.now();
      const out = execFileSync(process.execPath, [CLI, 'sync', EXAMPLES], { env, encoding: 'utf8' });
      const reported = Number(/sync done in ([\d.]+) s/.exec(out)?.[1] ?? NaN) * 1000;
      return { wallMs: performance.now() - started, reportedMs: reported, out };
    };
    const first = sync();
    if (!/7 added/.test(first.out)) fail(`the first sync did not add the example folder:\n${first.out}`);
    const unchanged = Array.from({ length: syncs }, sync);
    if (!unchanged.every((s) => /0 added, 0 replaced, 7 unchanged/.test(s.out))) fail('a re-sync changed something');

    const store = new LocalKnowledgeStore(redis, config);
    const tool = new SearchKnowledgeTool(store, config, new KnowledgeMetrics(new Registry()));
    const definition = { name: tool.name, description: tool.description, parameters: strictJsonSchema(tool.schema) };
    const output = await tool.run({ question: QUESTION }, { profile: 'support' } as never);
    const answer = 'Delivery in Romania takes 2–3 business days by courier.';
    const found = (output.passages as { title: string; url?: string; text: string }[]).map((p) => ({
      source: p.url ?? p.title,
      ...p,
    }));
    const sources = sourcesBlock(citedSources(answer, found), 'en');
    const tokens = {
      definition: countTokens(JSON.stringify(definition)),
      call: countTokens(JSON.stringify({ question: QUESTION })) + countTokens(tool.name),
      output: countTokens(JSON.stringify(output)),
      sources: countTokens(sources),
    };
    const turnTokens = tokens.definition * 2 + tokens.call + tokens.output + tokens.sources;

    await redis.flushall();
    const docs = generate(chunks);
    const putStarted = performance.now();
    await store.put(docs);
    const putMs = performance.now() - putStarted;
    const stored = await redis.hlen(RedisKeys.knowledgeChunks());
    const first_ = performance.now();
    await store.search(words(4), { limit: 4, profile: 'support' });
    const coldMs = performance.now() - first_;
    const times: number[] = [];
    let hits = 0;
    const texts = docs.map((d) => d.text.split(/\s+/));
    for (let i = 0; i < queries; i++) {
      // Half the questions use words of one generated section (they have an answer), half are random.
      const n = 3 + Math.floor(random() * 4);
      const text = texts[Math.floor(random() * texts.length)];
      const at = Math.floor(random() * (text.length - n));
      const q = i % 2 === 0 ? text.slice(at, at + n).join(' ') : words(n);
      const t = performance.now();
      hits += (await store.search(q, { limit: 4, profile: 'support' })).length > 0 ? 1 : 0;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const keys = [RedisKeys.knowledgeDocs(), RedisKeys.knowledgeChunks(), RedisKeys.knowledgeIndex()];
    const sizes = await Promise.all(keys.map((k) => redis.memory('USAGE', k)));
    const mib = (n: number) => (n / 2 ** 20).toFixed(2);

    const p99 = pct(times, 99);
    const syncWall = Math.max(...unchanged.map((s) => s.wallMs));
    lines.push(
      `Machine: ${machine(true)}; Redis ${redisServer.version}.`,
      `Command: \`${commandLine(ROOT)}\`.`,
      '',
      '| figure | value | target |',
      '|---|---|---|',
      `| unchanged sync of examples/knowledge (7 files), the command's own time, worst of ${syncs} | ${fmt(Math.max(...unchanged.map((s) => s.reportedMs)))} ms | ≤ 1 s |`,
      `| the same, whole process (boot, Redis, exit), worst of ${syncs} | ${fmt(syncWall)} ms | |`,
      `| local search, ${stored} chunks, ${queries} queries of 3–6 words (half from a chunk): p50 / p99 / max | ${fmt(pct(times, 50), 2)} / ${fmt(p99, 2)} / ${fmt(times.at(-1), 2)} ms | p99 ≤ 20 ms |`,
      `| first search of a worker (loads the index from Redis) | ${fmt(coldMs, 1)} ms | |`,
      `| queries answered with at least one passage | ${((hits / queries) * 100).toFixed(0)} % | |`,
      `| storing the corpus (chunks + one index rebuild) | ${fmt(putMs)} ms | |`,
      `| size in Redis: documents / chunks / index (MEMORY USAGE) | ${mib(sizes[0] ?? 0)} / ${mib(sizes[1] ?? 0)} / ${mib(sizes[2] ?? 0)} MiB | |`,
      `| tokens: search_knowledge's definition (every model call of the profile) | ${tokens.definition} | |`,
      `| tokens: one call + its output (4 passages, "${QUESTION}") + the sources line | ${tokens.call} + ${tokens.output} + ${tokens.sources} | |`,
      `| tokens a knowledge answer adds to a turn (definition on its 2 model calls, call, output, sources) | ${turnTokens} | |`,
    );
    console.log(lines.join('\n'));
    const problems = [p99 > 20 && 'local search p99 over 20 ms', syncWall > 1000 && 'unchanged sync over 1 s'].filter(
      Boolean,
    );
    if (problems.length) console.log(`\nmissed: ${problems.join('; ')}`);
    publish(SECTION, lines, args['no-write']);
  } finally {
    redis.disconnect();
    await stop(redisServer.proc.child);
  }
}

/** `n` chunks: documents of 4 sections of ~60 words, the language of their words mixed. */
function generate(n: number): KnowledgeDocument[] {
  const docs: KnowledgeDocument[] = [];
  for (let d = 0; d * 4 < n; d++) {
    const sections = Math.min(4, n - d * 4);
    const text = Array.from({ length: sections }, (_, s) => `## ${words(3)} ${s}\n\n${words(60)}.`).join('\n\n');
    docs.push({ source: `generated/doc-${d}.md`, title: `Generated ${d}: ${words(3)}`, text, hash: `${d}` });
  }
  return docs;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
