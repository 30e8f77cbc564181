/**
 * Ingest benchmark: signed single-event HubSpot webhooks against
 *   (a) bench/baseline-server.ts — node:http + HMAC + JSON.parse + one queue.addBulk per request, and
 *   (b) the real api (dist/apps/api/main.js, group-commit batcher),
 * each alone, in a child process, on a freshly flushed Redis, under the same autocannon load.
 * After each run every 2xx is checked against Redis (its job must exist).
 *
 *   npm run build && node bench/ingest.bench.ts [--duration 10] [--connections 50] [--warmup 2]
 *     [--rounds 1] [--noise-retries 2] [--only baseline|api] [--log-level info] [--api-node-args="--cpu-prof"] [--no-write]
 *
 * Runs under Node's type stripping: erasable TypeScript only, no `@app/*` aliases, no app imports;
 * the scaffolding shared with the other benchmarks is in bench/bench-support.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  API_ENTRY,
  apiEnv,
  autocannonRun,
  commandLine,
  cpuMs,
  cpuSnapshot,
  cpuUse,
  fmt,
  freePort,
  loadFigures,
  loadOptions,
  loadSettings,
  machine,
  median,
  otherCpus as otherLoad,
  perRequestUs,
  publish,
  QUEUE,
  quietest,
  ROOT,
  SECRET,
  sleep,
  start,
  startRedisServer,
  stop,
  usage,
  waitReady,
  WEBHOOK_URL,
} from './bench-support.ts';

const BASELINE_ENTRY = path.join(ROOT, 'bench/baseline-server.ts');
const SECTION = '## Ingest (npm run bench:ingest)';

const PORTAL_ID = 22761544;
const TARGET_RATIO = 1.0;
const TARGET_API_P99_MS = 25;
/** Above this many CPUs busy outside the benchmark during a run, its figures are flagged as noisy. */
const NOISY_OTHER_CPUS = 0.25;
// Node prints this for every .ts file of a package without "type"; it is noise here.
const NODE_FLAGS = ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON'];

const cli = usage('ingest bench');
const { values: args } = parseArgs({
  options: {
    ...loadOptions('1'),
    only: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    'api-node-args': { type: 'string', default: '' },
  },
});
const { duration, connections, warmup, rounds, noiseRetries } = loadSettings(args, cli);
const logLevel = args['log-level'];
const apiNodeArgs = args['api-node-args'].split(' ').filter(Boolean);
if (args.only !== undefined && args.only !== 'baseline' && args.only !== 'api')
  cli.fail('--only must be baseline or api');

type Target = 'baseline' | 'api';

interface RunResult {
  target: Target;
  round: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  storedJobs: number;
  /** CPU time (user + system) per answered request, µs: server process, redis-server, this process (load). */
  serverCpuUs: number | undefined;
  redisCpuUs: number | undefined;
  clientCpuUs: number;
  /** CPUs used by everything else on the machine during the measured window: the noise gauge. */
  otherCpus: number | undefined;
  missing: number;
  problems: string[];
}

async function startRedis(): Promise<{ url: string; own: ChildProcess | undefined }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, own: undefined };
  const { url, proc } = await startRedisServer(['--appendonly', 'no'], process.env);
  return { url, own: proc.child };
}

interface Ctx {
  messageId?: string;
}

/** Each request: a distinct messageId, a fresh timestamp and its v3 signature. */
function loadRequests(idPrefix: string, okIds: string[] | undefined): autocannon.Request[] {
  let seq = 0;
  const signed = 'POST' + WEBHOOK_URL;
  return [
    {
      method: 'POST',
      path: '/webhooks/hubspot',
      setupRequest: (req, context) => {
        seq++;
        const messageId = `${idPrefix}-${seq}`;
        const now = Date.now();
        const body =
          `[{"eventId":${seq},"subscriptionId":1,"portalId":${PORTAL_ID},"appId":1,"occurredAt":${now},` +
          `"subscriptionType":"conversation.newMessage","attemptNumber":0,"objectId":3624100517,` +
          `"messageId":"${messageId}","messageType":"MESSAGE","changeFlag":"NEW_MESSAGE"}]`;
        const timestamp = String(now);
        const signature = createHmac('sha256', SECRET).update(signed).update(body).update(timestamp).digest('base64');
        (context as Ctx).messageId = messageId;
        return {
          ...req,
          body,
          headers: {
            'content-type': 'application/json',
            'x-hubspot-signature-v3': signature,
            'x-hubspot-request-timestamp': timestamp,
          },
        };
      },
      // Pipelining is 1, so the context is the answered request's.
      onResponse: okIds
        ? (status, _body, context) => {
            const id = (context as Ctx).messageId;
            if (status >= 200 && status < 300 && id) okIds.push(id);
          }
        : undefined,
    },
  ];
}

function load(port: number, seconds: number, idPrefix: string, okIds?: string[]): Promise<autocannon.Result> {
  return autocannonRun(`http://127.0.0.1:${port}`, connections, seconds, {
    requests: loadRequests(idPrefix, okIds),
  });
}

async function countJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function countMissing(redis: Redis, queue: Queue, ids: string[]): Promise<number> {
  let missing = 0;
  for (let i = 0; i < ids.length; i += 5000) {
    const pipeline = redis.pipeline();
    for (const id of ids.slice(i, i + 5000)) pipeline.exists(queue.toKey(`msg-${PORTAL_ID}-${id}`));
    for (const [err, n] of (await pipeline.exec()) ?? []) if (err || n !== 1) missing++;
  }
  return missing;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

async function runOne(
  target: Target,
  round: number,
  redisUrl: string,
  redis: Redis,
  queue: Queue,
  ownRedis: ChildProcess | undefined,
  redisPid: number | undefined,
): Promise<RunResult> {
  await (ownRedis ? redis.flushall() : redis.flushdb());
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    REDIS_URL: redisUrl,
    ...apiEnv(port),
    LOG_LEVEL: logLevel,
  };
  const logFile = path.join(os.tmpdir(), `ingest-bench-${target}.log`);
  const argv = target === 'api' ? [...apiNodeArgs, API_ENTRY] : [...NODE_FLAGS, BASELINE_ENTRY];
  const server = start(process.execPath, argv, env, logFile);
  const child = server.child;
  try {
    if (target === 'api') await waitReady(port, 'api', server);
    else await waitReady(port, 'baseline', server, '/', (s) => s > 0);

    const tag = `${target[0]}${round}`;
    if (warmup > 0) await load(port, warmup, `${tag}w`);
    await sleep(300);
    const before = await countJobs(queue);
    const cpuBefore = cpuSnapshot({ server: child.pid, redis: redisPid });

    const okIds: string[] = [];
    const r = await load(port, duration, `${tag}m`, okIds);
    const cpu = cpuUse(cpuBefore, cpuSnapshot({ server: child.pid, redis: redisPid }));
    await sleep(500); // let requests cut off by the end of the run settle
    const stored = (await countJobs(queue)) - before;
    const missing = await countMissing(redis, queue, okIds);

    const problems: string[] = [];
    if (r.non2xx > 0) problems.push(`${r.non2xx} non-2xx responses`);
    if (r.errors > 0) problems.push(`${r.errors} errors (${r.timeouts} timeouts)`);
    if (missing > 0) problems.push(`${missing} of ${okIds.length} acknowledged events have no job in Redis`);
    if (okIds.length !== r['2xx'])
      problems.push(`2xx count mismatch: autocannon ${r['2xx']}, recorded ${okIds.length}`);
    if (stored < okIds.length) problems.push(`only ${stored} jobs stored for ${okIds.length} 2xx`);
    if (child.exitCode !== null) problems.push(`server exited during the run (code ${child.exitCode})`);
    const logBytes = statSync(logFile).size;
    const answered = r['2xx'] + r.non2xx;
    const serverMs = cpu.ms.server;
    const serverCpuUs = perRequestUs(serverMs, answered);
    const redisCpuUs = perRequestUs(cpu.ms.redis, answered);
    const clientCpuUs = perRequestUs(cpu.selfMs, answered) ?? 0;
    // An external Redis (REDIS_URL) on this machine counts as "other".
    const otherCpus =
      serverMs === undefined
        ? undefined
        : otherLoad(cpu.busyMs, serverMs + (cpu.ms.redis ?? 0) + cpu.selfMs, cpu.wallMs);
    const figures = loadFigures(r);
    console.log(
      `  ${target} #${round}: ${figures.reqPerSec.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
        `${r['2xx']} 2xx, ${stored} jobs stored (${okIds.length - missing} of the 2xx verified); CPU per request: ` +
        `server ${fmt(serverCpuUs)} µs, redis ${fmt(redisCpuUs)} µs, load generator ${fmt(clientCpuUs)} µs; ` +
        `other processes used ${fmt(otherCpus, 2)} CPUs; log ${(logBytes / 1e6).toFixed(1)} MB (${logFile})`,
    );
    return {
      target,
      round,
      ...figures,
      total: r.requests.total,
      timeouts: r.timeouts,
      storedJobs: stored,
      serverCpuUs,
      redisCpuUs,
      clientCpuUs,
      otherCpus,
      missing,
      problems,
    };
  } finally {
    await stop(child);
  }
}

function table(results: RunResult[]): string[] {
  const rows = [
    '| server | run | req/s (mean) | p50 (ms) | p99 (ms) | max (ms) | 2xx | non-2xx | errors | jobs stored | 2xx without job | server CPU µs/req | redis CPU µs/req | other load (CPUs) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    rows.push(
      `| ${r.target} | #${r.round} | ${r.reqPerSec.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.ok2xx} | ${r.non2xx} | ${r.errors} | ${r.storedJobs} | ${r.missing} | ${fmt(r.serverCpuUs)} | ${fmt(r.redisCpuUs)} | ${r.otherCpus === undefined ? 'n/a' : r.otherCpus.toFixed(2)} |`,
    );
  }
  return rows;
}

async function main(): Promise<void> {
  if (!existsSync(API_ENTRY))
    cli.fail(
      `${path.relative(process.cwd(), API_ENTRY)} not found: run \`npm run build\` first (or \`npm run bench\`)`,
    );
  const built = statSync(API_ENTRY).mtime;
  const command = commandLine(process.cwd());
  const host = machine(true);
  console.log(`machine: ${host}`);
  console.log(`command: ${command}`);
  console.log(
    `load: autocannon, ${connections} connections, pipelining 1, ${warmup} s warm-up + ${duration} s measured, ` +
      `${rounds} round(s); api LOG_LEVEL=${logLevel}; api build ${built.toISOString()}`,
  );

  const { url: redisUrl, own } = await startRedis();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const serverInfo = await redis.info('server');
  const redisVersion = /redis_version:(\S+)/.exec(serverInfo)?.[1] ?? '?';
  // An external Redis on this machine is measured too when its pid is visible here.
  const infoPid = Number(/process_id:(\d+)/.exec(serverInfo)?.[1]);
  const redisPid = own?.pid ?? (cpuMs(infoPid) !== undefined && /redis/.test(commOf(infoPid)) ? infoPid : undefined);
  const queue = new Queue(QUEUE, { connection: redis });
  console.log(
    `redis: ${redisUrl} (${own ? 'throwaway redis-server' : 'REDIS_URL, flushed with FLUSHDB between runs'}, ${redisVersion})`,
  );

  const targets: Target[] = args.only ? [args.only as Target] : ['baseline', 'api'];
  const results: RunResult[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        // The machine is shared: a run during which other work took CPU is repeated (up to
        // --noise-retries times) and the quietest attempt kept.
        const best = await quietest(
          () => runOne(target, round, redisUrl, redis, queue, own, redisPid),
          noiseRetries,
          NOISY_OTHER_CPUS,
          `${target} #${round}`,
          // Errors of a discarded attempt still count.
          (keep, drop) => keep.problems.push(...drop.problems.map((p) => `(noisy attempt) ${p}`)),
        );
        results.push(best);
      }
    }
  } finally {
    await queue.close();
    redis.disconnect();
    if (own) await stop(own);
  }

  const of = (t: Target) => results.filter((r) => r.target === t);
  const baseline = of('baseline');
  const api = of('api');
  const ratios = api.flatMap((a) => {
    const b = baseline.find((x) => x.round === a.round);
    return b ? [a.reqPerSec / b.reqPerSec] : [];
  });
  const ratio = ratios.length > 0 ? median(ratios) : undefined;
  const apiP99 = api.length > 0 ? median(api.map((r) => r.p99)) : undefined;
  const problems = results.flatMap((r) => r.problems.map((p) => `${r.target} #${r.round}: ${p}`));
  const noisy = results.filter((r) => (r.otherCpus ?? 0) > NOISY_OTHER_CPUS);

  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  const lines = [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${host}`,
    `- command: \`${command}\``,
    `- load: autocannon, ${connections} connections, pipelining 1, ${warmup} s warm-up then ${duration} s measured; ` +
      `each request one signed \`conversation.newMessage\` event with a distinct messageId; ${rounds} round(s), servers run one at a time on a flushed Redis ${redisVersion}; ` +
      `a run during which other processes used > ${NOISY_OTHER_CPUS} CPUs is repeated (up to ${noiseRetries} times) and the quietest attempt kept`,
    `- api: \`node dist/apps/api/main.js\`, LOG_LEVEL=${logLevel}, stdout to a file; baseline: \`bench/baseline-server.ts\` (node:http, HMAC, JSON.parse, one \`addBulk\` per request)`,
    '',
    ...table(results),
    '',
    ratio !== undefined
      ? `- ratio api/baseline req/s: **${ratio.toFixed(3)}**${ratios.length > 1 ? ` (median of ${ratios.map((x) => x.toFixed(3)).join(', ')})` : ''}`
      : '- ratio api/baseline req/s: n/a (both servers must run)',
    `- targets: ratio >= ${TARGET_RATIO.toFixed(1)}: ${ratio !== undefined ? `${verdict(ratio >= TARGET_RATIO)} (${ratio.toPrecision(4)})` : 'n/a'}; ` +
      `api p99 <= ${TARGET_API_P99_MS} ms: ${apiP99 !== undefined ? `${verdict(apiP99 <= TARGET_API_P99_MS)} (${apiP99} ms)` : 'n/a'}`,
    problems.length === 0
      ? '- correctness: no errors, no non-2xx, every 2xx has its job in Redis'
      : `- correctness: **FAILED** — ${problems.join('; ')}`,
    noisy.length === 0
      ? `- noise: other processes used at most ${Math.max(...results.map((r) => r.otherCpus ?? 0)).toFixed(2)} CPUs during the measured runs`
      : `- noise: **${noisy.map((r) => `${r.target} #${r.round}`).join(', ')} shared the machine with other work** ` +
        `(> ${NOISY_OTHER_CPUS} CPUs busy outside the benchmark): compare rounds with little other load, or run again`,
  ];

  console.log('');
  console.log(lines.join('\n'));
  if (problems.length > 0) {
    console.error('\n!!!!!!!!!! INGEST BENCHMARK RUN HAD ERRORS — figures are not valid !!!!!!!!!!');
    for (const p of problems) console.error(`!!! ${p}`);
  }
  publish(SECTION, lines, args['no-write']);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
