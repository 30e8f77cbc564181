/**
 * Webhook fuzz: seeded, reproducible requests against POST /webhooks/hubspot of the built api
 * (dist/apps/api/main.js, child process) on a throwaway redis-server (AOF on, so jobs survive the outage):
 * random bytes, truncated and malformed JSON, deep nesting, huge arrays, wrong types, unicode, header and
 * framing tricks, replayed signatures over altered bodies, stale and future timestamps, and authentic
 * batches (test/fuzz/webhook-fuzz-cases.ts). Redis is killed for a short phase in the middle and restarted.
 *
 * Checks: no 5xx (503 only while Redis is down), every answer among the case's correct ones, no job in
 * Redis from a case that was not authentic (each case's events carry its own portal id), every
 * acknowledged job present, the api alive and ready at the end, its memory flat after warm-up (RSS
 * sampled; RSS and live heap after a full GC forced through the api's inspector on a loopback port).
 *
 *   npm run build && npm run fuzz:webhook -- [--requests 10000] [--seed 1] [--concurrency 16]
 *     [--outage-requests N] [--outage-seconds 3] [--timeout-ms 15000] [--max-rss-growth-mib 64]
 *     [--max-heap-growth-mib 16] [--log-level info] [--no-write]
 *   npm run fuzz:webhook -- --seed S --case I     # replays case I of seed S alone and prints it
 *
 * Runs under Node's type stripping: erasable TypeScript only, no `@app/*` aliases, no app imports.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import * as cases from '../test/fuzz/webhook-fuzz-cases.ts';
import {
  auditJobs,
  FuzzTally,
  judge,
  QUEUE_KEYS,
  runCases,
  scanJobIds,
  sendCase,
  statusLine,
  type Answer,
} from '../test/fuzz/webhook-fuzz-client.ts';
import {
  API_ENTRY,
  apiEnv,
  commandLine,
  fmt,
  freePort,
  httpStatus,
  machine,
  pct,
  publish,
  SECRET,
  sleep,
  start,
  startRedisServer,
  stop,
  usage,
  waitReady,
  WEBHOOK_URL,
  type Child,
} from './bench-support.ts';

const SECTION = '## Webhook fuzz (npm run fuzz:webhook)';

const cli = usage('webhook fuzz');
const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '16' },
    'outage-requests': { type: 'string' },
    'outage-seconds': { type: 'string', default: '3' },
    'timeout-ms': { type: 'string', default: '15000' },
    'max-rss-growth-mib': { type: 'string', default: '64' },
    'max-heap-growth-mib': { type: 'string', default: '16' },
    'log-level': { type: 'string', default: 'info' },
    case: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const requests = cli.int('requests', args.requests, 1);
const seed = cli.int('seed', args.seed, 0);
const concurrency = cli.int('concurrency', args.concurrency, 1);
const timeoutMs = cli.int('timeout-ms', args['timeout-ms'], 100);
const maxRssGrowthMiB = cli.int('max-rss-growth-mib', args['max-rss-growth-mib'], 1);
const maxHeapGrowthMiB = cli.int('max-heap-growth-mib', args['max-heap-growth-mib'], 1);
const outageRequests =
  args['outage-requests'] === undefined
    ? Math.min(requests, Math.max(100, Math.round(requests * 0.03)))
    : cli.int('outage-requests', args['outage-requests'], 0);
const outageSeconds = Number(args['outage-seconds']);
if (!(outageSeconds >= 0)) cli.fail('--outage-seconds must be a number >= 0');
const singleCase = args.case === undefined ? undefined : cli.int('case', args.case, 0);
const opts: cases.FuzzOptions = { seed, secret: SECRET, webhookUrl: WEBHOOK_URL };

// ------------------------------------------------------------------------------------------------ helpers

function rssMiB(pid: number | undefined): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** RSS of `pid` sampled every 100 ms: the peak, and the value now. */
function rssMonitor(pid: number | undefined) {
  let peak = rssMiB(pid) ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid) ?? 0)), 100);
  return {
    now: () => rssMiB(pid),
    peak: () => peak,
    stop: () => clearInterval(timer),
  };
}

interface Memory {
  rss: number;
  heapUsed: number;
}

/**
 * The api's memory after a full GC, through its inspector (127.0.0.1, a free port): what is still
 * alive, which a leak raises and the garbage of big bodies does not.
 */
async function inspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('cannot connect to the api inspector'));
  });
  let id = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.onmessage = (m: { data: unknown }) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  };
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      waiting.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async memoryAfterGc(): Promise<Memory> {
      await call('HeapProfiler.collectGarbage');
      const r = (await call('Runtime.evaluate', {
        expression: 'JSON.stringify(process.memoryUsage())',
        returnByValue: true,
      })) as { result: { value: string } };
      const m = JSON.parse(r.result.value) as Memory;
      return { rss: m.rss / 2 ** 20, heapUsed: m.heapUsed / 2 ** 20 };
    },
    close: () => ws.close(),
  };
}

async function waitRedis(url: string, proc: Child): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`redis-server exited:\n${proc.stderr()}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server not ready:\n${proc.stderr()}`);
      await sleep(50);
    }
  }
}

async function jobIdsIn(url: string): Promise<Set<string>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    return await scanJobIds((cursor) => redis.scan(cursor, 'MATCH', QUEUE_KEYS, 'COUNT', 5000));
  } finally {
    redis.disconnect();
  }
}

/** Polls `urlPath` until its status satisfies `ok` or `ms` pass; the last status and the wait. */
async function pollStatus(port: number, urlPath: string, ok: (s: number) => boolean, ms: number) {
  const startedAt = Date.now();
  let status = await httpStatus(port, urlPath);
  while (!ok(status) && Date.now() - startedAt < ms) {
    await sleep(50);
    status = await httpStatus(port, urlPath);
  }
  return { status, waitedMs: Date.now() - startedAt };
}

/** Error-level lines of the api's log, and lines recording a 5xx answer. */
const serverErrors = (log: string) =>
  log.split('\n').filter((l) => /"level":(50|60)/.test(l) || /"statusCode":5\d\d/.test(l));

const printable = (b: Buffer, max = 700) =>
  JSON.stringify(b.subarray(0, max).toString('latin1')).slice(1, -1) + (b.length > max ? `… (${b.length} bytes)` : '');

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  if (!existsSync(API_ENTRY))
    cli.fail(`${path.relative(process.cwd(), API_ENTRY)} not found: run \`npm run build\` first`);
  const built = statSync(API_ENTRY).mtime;
  const command = commandLine(process.cwd());
  const host = machine(true);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webhook-fuzz-'));
  const redisArgs = ['--appendonly', 'yes', '--dir', dir, '--maxmemory-policy', 'noeviction'];
  let redis = await startRedisServer(redisArgs, process.env);
  const redisPort = new URL(redis.url).port;
  const port = await freePort();
  const logFile = path.join(dir, 'api.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    REDIS_URL: redis.url,
    ...apiEnv(port),
    LOG_LEVEL: args['log-level'],
  };
  const inspectPort = await freePort();
  const api = start(process.execPath, [`--inspect=127.0.0.1:${inspectPort}`, API_ENTRY], env, logFile);
  const problems: string[] = [];
  try {
    await waitReady(port, 'api', api);

    if (singleCase !== undefined) {
      const c = cases.buildCase(opts, singleCase, Date.now());
      console.log(`case ${c.index} of seed ${seed}: ${c.category} / ${c.variant}`);
      console.log(`authentic: ${c.signed}; correct answers: ${c.acceptable.join('/')}${c.any4xx ? ', any 4xx' : ''}`);
      console.log(`request (${c.bytes.length} bytes): ${printable(c.bytes)}`);
      const a = await sendCase(port, c, timeoutMs);
      console.log(`answer: ${a.statuses.join(', ') || 'none'} ${a.error ?? ''}\n${a.bodies.join('\n').slice(0, 2000)}`);
      const verdict = judge(c, a, false);
      const jobs = [...(await jobIdsIn(redis.url))];
      console.log(`jobs in Redis: ${jobs.length ? jobs.join(', ') : 'none'}`);
      await sleep(300);
      for (const l of serverErrors(readFileSync(logFile, 'utf8')))
        console.log(`api log: ${l.slice(0, Number(process.env.FUZZ_LOG_CHARS ?? 600))}`);
      console.log(verdict.length ? `PROBLEMS: ${verdict.join('; ')}` : 'ok');
      process.exitCode = verdict.length || (!c.signed && jobs.length) ? 1 : 0;
      return;
    }

    console.log(`machine: ${host}`);
    console.log(`command: ${command}`);
    console.log(
      `fuzz: ${requests} cases, seed ${seed}, concurrency ${concurrency}, ${outageRequests} of them with Redis down (at least ${outageSeconds} s); ` +
        `api LOG_LEVEL=${args['log-level']}, build ${built.toISOString()}; redis ${redis.version} (AOF)`,
    );
    const rss = rssMonitor(api.child.pid);
    const rssStart = rss.now();
    const probe = await inspector(inspectPort);
    const gcStart = await probe.memoryAfterGc();
    const tally = new FuzzTally();
    const latencies: number[] = [];
    // At the end of each tenth of the cases: RSS, then heap and RSS after a full GC.
    const tenths: ({ sampledRss: number | undefined } & Memory)[] = [];
    const tenth = Math.max(1, Math.floor(requests / 10));
    let sampling = Promise.resolve();
    const onCase = (_c: cases.FuzzCase, a: Answer) => {
      latencies.push(a.ms);
      if (tally.sent.size % tenth !== 0 || tenths.length >= 10) return;
      const rssNow = rss.now();
      sampling = sampling.then(async () => {
        tenths.push({ sampledRss: rssNow, ...(await probe.memoryAfterGc()) });
      });
    };
    const run = (from: number, to: number, redisDown = false, done?: () => boolean) =>
      runCases({ cases, opts, port, from, to, concurrency, timeoutMs, tally, redisDown, done, onCase });
    const progress = setInterval(() => {
      const t = tally.requests;
      console.log(
        `  … ${t} requests, ${tally.fiveXX} 5xx, ${tally.problems.length} problems, RSS ${fmt(rss.now())} MiB`,
      );
    }, 10_000);

    // V8 sizes its heap for the biggest bodies arriving together: RSS climbs for a while, then stays.
    const warm = Math.min(requests, Math.ceil(requests * 0.2));
    const outageAt = Math.max(warm, Math.floor(requests * 0.6) - Math.floor(outageRequests / 2));
    const startedAt = performance.now();
    await run(0, warm);
    const rssWarm = rss.now();
    await sampling;
    const gcWarm = await probe.memoryAfterGc();
    console.log(
      `  warm-up: ${warm} cases; RSS ${fmt(rssStart)} → ${fmt(rssWarm)} MiB ` +
        `(after a full GC: RSS ${fmt(gcWarm.rss)} MiB, heap ${fmt(gcWarm.heapUsed, 1)} MiB)`,
    );
    await run(warm, outageAt);

    // Redis outage: everything acknowledged so far is recorded first (the AOF keeps it anyway).
    const beforeOutage = await jobIdsIn(redis.url);
    const downAt = performance.now();
    redis.proc.child.kill('SIGKILL');
    await stop(redis.proc.child);
    const readyDown = await pollStatus(port, '/health/ready', (s) => s === 503, 5000);
    const liveDown = await httpStatus(port, '/health/live');
    if (readyDown.status !== 503) problems.push(`/health/ready answered ${readyDown.status} with Redis down`);
    if (liveDown !== 200) problems.push(`/health/live answered ${liveDown} with Redis down`);
    const outageEnd = await run(outageAt, Math.min(requests, outageAt + outageRequests), true);
    // Down for at least --outage-seconds: the api keeps reconnecting meanwhile.
    await sleep(outageSeconds * 1000 - (performance.now() - downAt));
    const readyStillDown = await httpStatus(port, '/health/ready');
    if (readyStillDown !== 503) problems.push(`/health/ready answered ${readyStillDown} with Redis down`);
    const proc = start(
      'redis-server',
      ['--port', redisPort, '--bind', '127.0.0.1', '--save', '', ...redisArgs],
      process.env,
      '/dev/null',
    );
    redis = { ...redis, proc };
    await waitRedis(redis.url, proc);
    const upAt = performance.now();
    const readyUp = await pollStatus(port, '/health/ready', (s) => s === 200, 30_000);
    if (readyUp.status !== 200) problems.push(`/health/ready still ${readyUp.status} 30 s after Redis came back`);
    const downSeconds = (upAt - downAt) / 1000;
    console.log(
      `  redis outage: down ${downSeconds.toFixed(1)} s for cases ${outageAt}..${outageEnd - 1}; ready ${readyDown.status} ` +
        `while down, live ${liveDown}; ready again ${readyUp.waitedMs} ms after restart`,
    );

    await run(outageEnd, requests);
    const wallMs = performance.now() - startedAt - (upAt - downAt) - readyUp.waitedMs;
    clearInterval(progress);
    await sampling;
    await sleep(2000);
    const rssEnd = rss.now();
    const rssPeak = rss.peak();
    rss.stop();
    const gcEnd = await probe.memoryAfterGc();
    probe.close();

    const alive = api.child.exitCode === null && api.child.signalCode === null;
    const readyEnd = await httpStatus(port, '/health/ready');
    const liveEnd = await httpStatus(port, '/health/live');
    const jobs = await jobIdsIn(redis.url);
    for (const id of beforeOutage) jobs.add(id);
    const audit = auditJobs(jobs, tally, cases);
    const log = readFileSync(logFile, 'utf8');
    const errorLines = serverErrors(log);
    const errorKinds = new Map<string, number>();
    for (const l of errorLines) {
      const kind = /"message":"([^"]{0,80})/.exec(l)?.[1] ?? /"msg":"([^"]{0,80})/.exec(l)?.[1] ?? l.slice(0, 80);
      errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
    }
    const errorSummary = [...errorKinds].map(([k, n]) => `${n}× "${k}"`).join(', ');
    const growth = rssEnd !== undefined && rssWarm !== undefined ? rssEnd - rssWarm : undefined;
    const gcRssGrowth = gcEnd.rss - gcWarm.rss;
    const heapGrowth = gcEnd.heapUsed - gcWarm.heapUsed;

    if (tally.fiveXX > 0) problems.push(`${tally.fiveXX} 5xx answers outside the Redis outage`);
    if (audit.fromUnsigned.length)
      problems.push(
        `${audit.fromUnsigned.length} jobs from unsigned input: ${audit.fromUnsigned.slice(0, 5).join(', ')}`,
      );
    if (audit.unattributed.length)
      problems.push(`${audit.unattributed.length} jobs of no case: ${audit.unattributed.slice(0, 5).join(', ')}`);
    if (audit.missing.length)
      problems.push(`${audit.missing.length} acknowledged jobs missing: ${audit.missing.slice(0, 5).join(', ')}`);
    if (!alive)
      problems.push(`api exited (code ${api.child.exitCode}, signal ${api.child.signalCode}):\n${api.stderr()}`);
    if (readyEnd !== 200 || liveEnd !== 200)
      problems.push(`api not healthy at the end: ready ${readyEnd}, live ${liveEnd}`);
    if (gcRssGrowth > maxRssGrowthMiB)
      problems.push(`RSS after a full GC grew ${fmt(gcRssGrowth)} MiB after warm-up (limit ${maxRssGrowthMiB} MiB)`);
    if (heapGrowth > maxHeapGrowthMiB)
      problems.push(`live heap grew ${fmt(heapGrowth, 1)} MiB after warm-up (limit ${maxHeapGrowthMiB} MiB)`);
    const caseProblems = tally.problems.filter((p) => !/\(5xx\)$/.test(p.problem));
    if (caseProblems.length) problems.push(`${caseProblems.length} wrong answers (see the list)`);

    const sorted = [...latencies].sort((a, b) => a - b);
    const rows = [...tally.byCategory.entries()]
      .sort(([a], [b]) => cases.CATEGORIES.indexOf(a) - cases.CATEGORIES.indexOf(b))
      .map(
        ([category, t]) =>
          `| ${category} | ${t.cases} | ${t.signed} | ${statusLine(t.statuses)} | ${t.fiveXX} | ${t.problems} |`,
      );
    // The inspector's own messages are not the api's.
    const stderrText = api
      .stderr()
      .split('\n')
      .filter((l) => l.trim() && !/^(Debugger (listening|attached|ending)|For help, see)/.test(l))
      .join('\n');
    const lines = [
      `- date: ${new Date().toISOString()}`,
      `- machine: ${host}`,
      `- command: \`${command}\``,
      `- setup: \`node dist/apps/api/main.js\` (build ${built.toISOString()}), NODE_ENV=production, LOG_LEVEL=${args['log-level']}, ` +
        `stdout to a file; throwaway redis-server ${redis.version} with AOF; generator test/fuzz/webhook-fuzz-cases.ts, seed ${seed}, ` +
        `${requests} cases on ${concurrency} concurrent connections (one raw TCP connection per case); ` +
        `Redis killed (SIGKILL) for cases ${outageAt}..${outageEnd - 1} and restarted on the same port and AOF`,
      '',
      '| category | cases | authentic | statuses (none: connection closed without an answer) | 5xx | wrong answers |',
      '| --- | ---: | ---: | --- | ---: | ---: |',
      ...rows,
      '',
      `- requests: **${tally.requests}** (${requests} cases, ${(tally.bytes / 2 ** 20).toFixed(0)} MiB sent); ` +
        `throughput ${fmt((tally.requests / wallMs) * 1000)} req/s, ${fmt((tally.bytes / 2 ** 20 / wallMs) * 1000, 1)} MiB/s ` +
        `(wall time without the wait for readiness after the restart); answer time p50 ${fmt(pct(sorted, 50), 1)} ms, ` +
        `p99 ${fmt(pct(sorted, 99), 1)} ms, max ${fmt(sorted[sorted.length - 1])} ms`,
      `- 5xx outside the outage: **${tally.fiveXX}**; 503 while Redis was down: ${tally.outage503} ` +
        `(Redis down ${downSeconds.toFixed(1)} s; /health/ready ${readyDown.status} and /health/live ${liveDown} meanwhile; ready again ${readyUp.waitedMs} ms after the restart)`,
      `- jobs in Redis: ${audit.total}, all from authentic cases: ${audit.fromSigned}; from unsigned input: **${audit.fromUnsigned.length}**; ` +
        `naming no case: ${audit.unattributed.length}; acknowledged but missing: ${audit.missing.length} (of ${tally.acknowledged.size} checked)`,
      `- wrong answers (status not among the case's correct ones, counts not adding up, no answer): ${caseProblems.length}`,
      `- api process: ${alive ? 'alive' : '**exited**'}, /health/ready ${readyEnd}, /health/live ${liveEnd} at the end; ` +
        `${errorLines.length} error-level log lines${errorSummary ? ` (${errorSummary})` : ''}; ${(statSync(logFile).size / 2 ** 20).toFixed(1)} MiB of log` +
        `${stderrText ? `; stderr: ${stderrText.slice(0, 200)}` : ''}`,
      `- RSS sampled every 100 ms (MiB): start ${fmt(rssStart)}, after warm-up (${warm} cases) ${fmt(rssWarm)}, ` +
        `peak ${fmt(rssPeak)}, end (2 s idle) ${fmt(rssEnd)}: growth after warm-up ${fmt(growth, 1)}`,
      `- after a full GC (inspector), RSS / live heap (MiB): start ${fmt(gcStart.rss)} / ${fmt(gcStart.heapUsed, 1)}, ` +
        `after warm-up ${fmt(gcWarm.rss)} / ${fmt(gcWarm.heapUsed, 1)}, end ${fmt(gcEnd.rss)} / ${fmt(gcEnd.heapUsed, 1)}: ` +
        `growth after warm-up **${fmt(gcRssGrowth, 1)} / ${fmt(heapGrowth, 1)}** (limits ${maxRssGrowthMiB} / ${maxHeapGrowthMiB})`,
      `- at the end of each tenth of the cases, RSS sampled / RSS after a full GC / live heap (MiB): ` +
        tenths.map((t) => `${fmt(t.sampledRss)} / ${fmt(t.rss)} / ${fmt(t.heapUsed, 1)}`).join(', '),
      problems.length === 0 ? '- verdict: **passed**' : `- verdict: **FAILED** — ${problems.join('; ')}`,
    ];
    console.log('');
    console.log(lines.join('\n'));
    if (tally.problems.length) {
      console.log(
        `\nwrong answers (first 30 of ${tally.problems.length}); replay one with --seed ${seed} --case <index>:`,
      );
      for (const p of tally.problems.slice(0, 30))
        console.log(`  #${p.index} ${p.category} / ${p.variant}${p.signed ? ' (authentic)' : ''}: ${p.problem}`);
    }
    if (errorLines.length) {
      console.log('\nerror-level log lines (first 5):');
      for (const l of errorLines.slice(0, 5)) console.log(`  ${l.slice(0, 400)}`);
    }
    publish(SECTION, lines, args['no-write']);
    process.exitCode = problems.length > 0 ? 1 : 0;
  } finally {
    await stop(api.child);
    await stop(redis.proc.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
