/**
 * Burst benchmark for the shared rate budgets: N threads × M visitor messages delivered as signed HubSpot
 * webhooks as fast as the api takes them, answered by several worker processes on one Redis, against
 * provider fakes that enforce the providers' real limits and count every violation.
 *
 *   npm run bench:burst
 *     = npm run build && tsc -p bench/tsconfig.json && node .tools/bench-build/bench/burst.bench.js [flags]
 *
 * Flags: --threads 200 --messages 5 --workers 3 --worker-concurrency 100 --hubspot-limits 100,190
 *        --turn-max-messages 1,10 (the workers' TURN_MAX_MESSAGES; one configuration per value)
 *        --search-per-second 5 --airtable-per-second 5 --openai-max-concurrent 10 --model-latency 1000
 *        --spread 2000 --gap 1000 --senders 8 --seed 1 --timeout 1800 --no-write
 *        --dist <folder holding apps/{api,worker}/main.js> (default dist/: a copy keeps a run stable while dist/ is rebuilt)
 *        --build-note "<what the build is>" (written into the report)
 *
 * Per configuration (one per --hubspot-limits value × --turn-max-messages value: HUBSPOT_REQUESTS_PER_10S of the
 * workers and the fake's per-10-s limit; TURN_MAX_MESSAGES of the workers, 1 = every message its own turn,
 * more = messages that wait behind their thread's running turn are answered together in its next turn):
 * fresh fakes, a throwaway redis-server, the built api and --workers worker processes.
 * - Fakes with their real limits ON: HubSpot `limit` requests per rolling 10 s per portal and 5 searches/s
 *   (429 + counted violation beyond), Airtable 5 requests/s per base (429 + a 30 s penalty on the whole base),
 *   OpenAI: the fake has no concurrency limit of its own, so this script counts, at the fake, every
 *   `POST /v1/responses` that arrives while OPENAI_MAX_CONCURRENT of them are already in flight.
 * - Load: every thread is new. A visitor types: a thread's first message at a random moment of the first --spread ms,
 *   each next one --gap..2×--gap ms after the previous (seeded); its message is created in the fake (increasing
 *   createdAt) and delivered as one signed webhook when its time comes, by --senders concurrent HTTP clients,
 *   a thread's next webhook only after the api acknowledged its previous one (HubSpot delivers in order).
 * - Done when every message has a reply at the fake HubSpot and the queue is empty (nothing waiting, delayed
 *   or active); then 2 s more to catch a late duplicate.
 * - Checks: every message answered exactly once, in order per thread (the fake model echoes every visitor line
 *   of its call, so each reply names the messages it answers: one, or several consecutive ones of its thread
 *   answered together, at most TURN_MAX_MESSAGES), turns/members as the jobs report them agree with the replies,
 *   0 violations at each fake, 0 failed jobs.
 * - Theoretical minimum: n calls under a limit of L per window W need at least floor((n − 1) / L) × W after the
 *   first; model calls ceil(n / slots) × model latency. Counted twice: for the calls the turns this run formed
 *   need (per message 1 HubSpot read; per turn 1 reply + 1 model call; per new thread 1 thread read + 1 contact
 *   read + 1 Airtable select + 1 upsert; the headline) and for the calls the fakes received. The largest bound
 *   is the binding constraint; duration = first webhook sent → last reply received (so the delivery spread is
 *   inside it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { signV3 } from '../apps/api/src/webhooks/hubspot-signature';
import type { RecordedRequest } from '../test/fakes/fake-http-server';
import { HubSpotRequests, type HubSpotMessage } from '../test/fakes/hubspot.fake';
import {
  apiEnv,
  commandLine,
  cpuMs,
  freePort,
  machine,
  OUTCOME_SWEEP_JOB,
  publish,
  QUEUE,
  ROOT,
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
import { echoedLines, startProviderFakes, workerEnvFor } from './bench-fakes.ts';

// ------------------------------------------------------------------------------------------------ constants

const SECTION = '## Burst under shared rate budgets (npm run bench:burst)';

/** HubSpot's rolling window and Airtable's, ms (the fakes' and the providers'). */
const HUBSPOT_WINDOW_MS = 10_000;
const AIRTABLE_WINDOW_MS = 1000;
/** apps/worker/src/budgets/rate-budget.service.ts: the budget's window is 10 % longer than the provider's. */
const BUDGET_WINDOW_SLACK = 1.1;

// ------------------------------------------------------------------------------------------------ arguments

const { fail, int } = usage('burst bench');
const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '200' },
    messages: { type: 'string', default: '5' },
    workers: { type: 'string', default: '3' },
    'worker-concurrency': { type: 'string', default: '100' },
    'hubspot-limits': { type: 'string', default: '100,190' },
    'turn-max-messages': { type: 'string', default: '1,10' },
    'search-per-second': { type: 'string', default: '5' },
    'airtable-per-second': { type: 'string', default: '5' },
    'openai-max-concurrent': { type: 'string', default: '10' },
    'model-latency': { type: 'string', default: '1000' },
    senders: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    spread: { type: 'string', default: '2000' },
    gap: { type: 'string', default: '1000' },
    timeout: { type: 'string', default: '1800' },
    dist: { type: 'string' },
    'build-note': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

const settings = {
  threads: int('threads', args.threads, 1),
  messages: int('messages', args.messages, 1),
  workers: int('workers', args.workers, 1),
  workerConcurrency: int('worker-concurrency', args['worker-concurrency'], 1),
  hubspotLimits: args['hubspot-limits'].split(',').map((v) => int('hubspot-limits', v.trim(), 1)),
  turnMaxMessages: args['turn-max-messages'].split(',').map((v) => int('turn-max-messages', v.trim(), 1)),
  searchPerSecond: int('search-per-second', args['search-per-second'], 1),
  airtablePerSecond: int('airtable-per-second', args['airtable-per-second'], 1),
  openaiMaxConcurrent: int('openai-max-concurrent', args['openai-max-concurrent'], 1),
  modelLatencyMs: int('model-latency', args['model-latency'], 0),
  senders: int('senders', args.senders, 1),
  seed: int('seed', args.seed, 0),
  spreadMs: int('spread', args.spread, 0),
  gapMs: int('gap', args.gap, 0),
  timeoutMs: int('timeout', args.timeout, 1) * 1000,
};
const DIST = path.resolve(args.dist ?? path.join(ROOT, 'dist'));
const API_MAIN = path.join(DIST, 'apps/api/main.js');
const WORKER_MAIN = path.join(DIST, 'apps/worker/main.js');

// ------------------------------------------------------------------------------------------------ helpers

/** mulberry32: a small seeded PRNG, so a run's interleaving can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** Most timestamps of ascending `times` inside any window [t, t + windowMs). */
function peakInWindow(times: number[], windowMs: number): number {
  let peak = 0;
  let from = 0;
  for (let to = 0; to < times.length; to++) {
    while (times[to] - times[from] >= windowMs) from++;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
}

/**
 * The first limit + 1 arrivals of ascending `times` that fell inside one window, as "+ms" offsets from
 * the first of them (where a limit was broken), or undefined.
 */
function firstExcess(times: number[], limit: number, windowMs: number): string | undefined {
  for (let i = limit; i < times.length; i++) {
    if (times[i] - times[i - limit] < windowMs) {
      const group = times.slice(i - limit, i + 1);
      return group.map((t) => `+${t - group[0]}`).join(' ') + ' ms';
    }
  }
  return undefined;
}

/** Earliest time the n-th call can be made after the first, with `limit` calls per `windowMs`. */
const rateBound = (calls: number, limit: number, windowMs: number) =>
  calls <= 0 ? 0 : Math.floor((calls - 1) / limit) * windowMs;

const s1 = (ms: number) => (ms / 1000).toFixed(1);

function hubspotKind(r: RecordedRequest): string {
  if (HubSpotRequests.getMessage(r)) return 'GET message';
  if (HubSpotRequests.sendMessage(r)) return 'POST message (reply)';
  if (HubSpotRequests.listMessages(r)) return 'GET messages (list)';
  if (HubSpotRequests.getThread(r)) return 'GET thread';
  if (HubSpotRequests.contacts(r)) return r.path.endsWith('/search') ? 'POST contacts/search' : `${r.method} contact`;
  return `${r.method} other`;
}

const isHubSpotSearch = HubSpotRequests.search;

function airtableKind(r: RecordedRequest): string {
  if (r.method === 'GET' || r.path.endsWith('/listRecords')) return 'select';
  if (r.method === 'PATCH') return 'upsert';
  return r.method;
}

function openaiKind(r: RecordedRequest): string {
  if (r.path === '/v1/responses' && r.method === 'POST') return 'responses.create';
  if (r.path === '/v1/conversations' && r.method === 'POST') return 'conversations.create';
  return `${r.method} ${r.path.replace(/conv_[A-Za-z0-9]+/, ':id')}`;
}

function countKinds(requests: RecordedRequest[], kind: (r: RecordedRequest) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(kind(r), (counts.get(kind(r)) ?? 0) + 1);
  return counts;
}

// ------------------------------------------------------------------------------------------------ one configuration

interface Message {
  threadId: string;
  n: number;
  message: HubSpotMessage;
  sentAt: number;
  status: number;
}

interface Bound {
  calls: number;
  ms: number;
}

interface Bounds {
  hubspot: Bound;
  search: Bound;
  airtable: Bound;
  openai: Bound;
}

interface Result {
  hubspotLimit: number;
  /** The workers' TURN_MAX_MESSAGES: messages one turn answers at most (1: every message its own turn). */
  turnMax: number;
  durationMs: number;
  deliveryMs: number;
  timedOut: boolean;
  messages: number;
  threads: number;
  answered: number;
  lost: number;
  duplicates: number;
  outOfOrderThreads: number;
  rejectedWebhooks: number;
  /**
   * Turns (jobs that answered: one model call and one reply each), members (messages answered in an
   * earlier message's turn: their jobs skip as "answered with <id>"), replies posted, and replies by how
   * many messages they answer.
   */
  bursts: { turns: number; members: number; memberSkips: number; replies: number; replySizes: Map<number, number> };
  calls: { hubspot: Map<string, number>; airtable: Map<string, number>; openai: Map<string, number> };
  violations: { hubspot: number; airtable: number; airtable429s: number; openai: number; openaiLock: number };
  peaks: { hubspot10s: number; search1s: number; airtable1s: number; openaiInFlight: number };
  /** Rate bounds (ms) for the calls the turns need and for the calls actually made. */
  minimum: Record<'needed' | 'made', Bounds>;
  /** The budget's own bound for the HubSpot calls made (its window is 10 % longer). */
  hubspotBudgetMs: number;
  /** Threads for which the fake OpenAI holds more than one conversation. */
  threadsWithExtraConversations: number;
  jobs: {
    completed: number;
    failedFinal: number;
    failedEvents: number;
    attemptsMade: number;
    attemptsStarted: number;
    delayedEvents: number;
    retried: number;
    /** Jobs sent back to wait by each budget (the workers' rate_budget_exhausted_total), summed over workers. */
    exhaustedByBudget: Record<string, number>;
  };
  cpu: { workers: (number | undefined)[]; api?: number; redis?: number };
  rssPeak: number[];
  warnLines: number;
  logs: string[];
  problems: string[];
}

async function runConfiguration(hubspotLimit: number, turnMax: number): Promise<Result> {
  const { threads: threadCount, messages: perThread, workers: workerCount } = settings;
  const total = threadCount * perThread;
  console.log(
    `\n[HubSpot ${hubspotLimit}/10 s, TURN_MAX_MESSAGES ${turnMax}] ${threadCount} threads × ${perThread} messages = ${total}, ${workerCount} workers × ` +
      `WORKER_CONCURRENCY ${settings.workerConcurrency}, model latency ${settings.modelLatencyMs} ms, OPENAI_MAX_CONCURRENT ${settings.openaiMaxConcurrent}`,
  );
  const problems: string[] = [];

  // Fakes, with their real limits.
  const fakes = await startProviderFakes({
    modelLatencyMs: settings.modelLatencyMs,
    airtable: { requestsPerWindow: settings.airtablePerSecond, windowMs: AIRTABLE_WINDOW_MS },
  });
  const { hubspot, openai, airtable, listafirme, anaf } = fakes;
  hubspot.setRateLimit({ perTenSeconds: hubspotLimit, searchPerSecond: settings.searchPerSecond });

  // OpenAI concurrency at the fake: POST /v1/responses from its request event to its response's finish.
  const modelCalls = { inFlight: 0, peak: 0, violations: 0 };
  const openaiServer = (openai as unknown as { server?: Server }).server;
  if (!openaiServer) throw new Error('fake openai has no server');
  openaiServer.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/v1/responses') return;
    if (modelCalls.inFlight >= settings.openaiMaxConcurrent) modelCalls.violations += 1;
    modelCalls.inFlight += 1;
    modelCalls.peak = Math.max(modelCalls.peak, modelCalls.inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      modelCalls.inFlight -= 1;
    };
    res.once('finish', finish);
    res.once('close', finish);
  });

  const redisDir = mkdtempSync(path.join(os.tmpdir(), 'burst-bench-redis-'));
  const redis = await startRedisServer(['--dir', redisDir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction'], {
    PATH: process.env.PATH,
  });
  const base = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    REDIS_URL: redis.url,
    LOG_LEVEL: 'warn',
  };
  const apiPort = await freePort();
  const tag = `${process.pid}-${hubspotLimit}-t${turnMax}`;
  const logs = [path.join(os.tmpdir(), `burst-bench-${tag}-api.log`)];
  const api = start(process.execPath, [API_MAIN], { ...base, ...apiEnv(apiPort) }, logs[0]);
  const workers: { proc: Child; port: number }[] = [];
  for (let i = 0; i < workerCount; i++) {
    const port = await freePort();
    const log = path.join(os.tmpdir(), `burst-bench-${tag}-worker-${i + 1}.log`);
    logs.push(log);
    const proc = start(
      process.execPath,
      [WORKER_MAIN],
      {
        ...base,
        WORKER_HTTP_PORT: String(port),
        WORKER_CONCURRENCY: String(settings.workerConcurrency),
        ...workerEnvFor(fakes),
        HUBSPOT_REQUESTS_PER_10S: String(hubspotLimit),
        HUBSPOT_SEARCH_PER_SECOND: String(settings.searchPerSecond),
        OPENAI_MAX_CONCURRENT: String(settings.openaiMaxConcurrent),
        AIRTABLE_REQUESTS_PER_SECOND: String(settings.airtablePerSecond),
        TURN_MAX_MESSAGES: String(turnMax),
      },
      log,
    );
    workers.push({ proc, port });
  }

  const rssPeak = workers.map(() => 0);
  const sampler = setInterval(() => {
    workers.forEach((w, i) => {
      rssPeak[i] = Math.max(rssPeak[i], rssMiB(w.proc.child.pid) ?? 0);
    });
  }, 500);
  const connection = { url: redis.url };
  const queue = new Queue(QUEUE, { connection });
  const events = new QueueEvents(QUEUE, { connection });
  events.on('error', (err) => console.error(`  queue events: ${err.message}`));
  const counters = { failed: 0, delayed: 0 };
  events.on('failed', ({ jobId, failedReason }) => {
    counters.failed += 1;
    if (counters.failed <= 10) console.error(`  job ${jobId} failed: ${failedReason}`);
  });
  events.on('delayed', ({ jobId }) => {
    // The worker's repeatable outcome job (ids `repeat:…`) waits for its next run: not a turn's delay.
    if (!jobId.startsWith('repeat:')) counters.delayed += 1;
  });
  const agent = new Agent({ keepAlive: true, maxSockets: settings.senders });

  try {
    await Promise.all([
      waitReady(apiPort, 'api', api),
      ...workers.map((w, i) => waitReady(w.port, `worker ${i + 1}`, w.proc)),
      events.waitUntilReady(),
    ]);
    const cpuBefore = {
      workers: workers.map((w) => cpuMs(w.proc.child.pid)),
      api: cpuMs(api.child.pid),
      redis: cpuMs(redis.proc.child.pid),
    };

    // The load: every thread new.
    const threads = Array.from({ length: threadCount }, () => hubspot.addThread());
    // A visitor types: a thread's first message at a random moment of the first `spread` ms, each next one
    // gap..2×gap ms after the previous; all threads' messages merged by time (seeded).
    const random = prng(settings.seed);
    const schedule: { t: number; at: number }[] = [];
    for (let t = 0; t < threadCount; t++) {
      let at = random() * settings.spreadMs;
      for (let n = 0; n < perThread; n++) {
        if (n > 0) at += settings.gapMs * (1 + random());
        schedule.push({ t, at });
      }
    }
    schedule.sort((a, b) => a.at - b.at);
    const sentCount = new Array<number>(threadCount).fill(0);
    // A thread's next webhook goes out once the api acknowledged its previous one (HubSpot delivers a
    // visitor's messages in order); other threads' webhooks go out meanwhile.
    const previous = new Array<Promise<unknown>>(threadCount).fill(Promise.resolve());
    const messages: Message[] = [];
    const post = (body: Buffer) =>
      new Promise<number>((resolve) => {
        const timestamp = String(Date.now());
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: apiPort,
            method: 'POST',
            path: '/webhooks/hubspot',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': body.length,
              'x-hubspot-signature-v3': signV3(SECRET, 'POST', WEBHOOK_URL, body, timestamp),
              'x-hubspot-request-timestamp': timestamp,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const accepted = Buffer.concat(chunks).toString('utf8').includes('"accepted":1');
              // 200 without "accepted":1 (a duplicate or ignored event) is not accepted either.
              resolve(res.statusCode === 200 && !accepted ? 299 : (res.statusCode ?? -1));
            });
          },
        );
        req.on('error', () => resolve(-1));
        req.end(body);
      });

    const startedAt = performance.now();
    const startedWall = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: settings.senders }, async () => {
        while (next < schedule.length) {
          const { t, at } = schedule[next++];
          const wait = startedAt + at - performance.now();
          if (wait > 0) await sleep(wait);
          const thread = threads[t];
          const n = ++sentCount[t];
          const before = previous[t];
          let acked!: () => void;
          previous[t] = new Promise<void>((resolve) => (acked = resolve));
          await before;
          const text = `Message ${n} of thread ${thread.id}: what are your opening hours?`;
          const message = hubspot.addVisitorMessage(thread.id, text);
          const entry: Message = { threadId: thread.id, n, message, sentAt: performance.now(), status: 0 };
          messages.push(entry);
          entry.status = await post(Buffer.from(JSON.stringify([hubspot.webhookEventFor(message)])));
          acked();
        }
      }),
    );
    const deliveryMs = performance.now() - startedAt;
    const rejected = messages.filter((m) => m.status !== 200);
    console.log(`  delivered ${messages.length} webhooks in ${s1(deliveryMs)} s (${rejected.length} not accepted)`);

    // Wait until every message is answered and the queue is empty.
    const deadline = startedAt + settings.timeoutMs;
    let timedOut = false;
    let lastLog = performance.now();
    for (;;) {
      // A reply answers every line it echoes (several when messages were answered together).
      const replied = new Set(
        hubspot.sentMessages().flatMap((s) => echoedLines(s.message.text ?? '').map((l) => `${s.threadId}\u0000${l}`)),
      );
      const answered = messages.filter((m) => replied.has(`${m.threadId}\u0000${m.message.text ?? ''}`)).length;
      const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
      let pending = Object.values(counts).reduce((a, b) => a + b, 0);
      // The worker's repeatable outcome job (issue 18) always waits as one delayed job: not a turn.
      if (answered >= messages.length - rejected.length && counts.delayed > 0 && counts.delayed <= 5) {
        const sweeps = (await queue.getDelayed(0, 5)).filter((j) => j.name === OUTCOME_SWEEP_JOB).length;
        pending -= sweeps;
      }
      if (answered >= messages.length - rejected.length && pending === 0) break;
      if (performance.now() > deadline) {
        timedOut = true;
        problems.push(`timed out after ${settings.timeoutMs / 1000} s: ${answered} answered, ${pending} jobs pending`);
        break;
      }
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        console.log(
          `  ${s1(lastLog - startedAt)} s: ${answered}/${messages.length} answered; queue active ${counts.active} waiting ${counts.waiting} delayed ${counts.delayed}; ` +
            `429s HubSpot ${hubspot.rateLimitViolations} Airtable ${airtable.rateLimitedResponses}`,
        );
      }
      await sleep(250);
    }
    await sleep(2000); // a late duplicate would land here
    const cpuAfter = {
      workers: workers.map((w) => cpuMs(w.proc.child.pid)),
      api: cpuMs(api.child.pid),
      redis: cpuMs(redis.proc.child.pid),
    };

    // Replies: every message answered exactly once, in order per thread. The fake model echoes every
    // line it was given, so a reply names the messages it answers: one, or several consecutive messages
    // of its thread answered together (a burst, at most TURN_MAX_MESSAGES).
    const sent = hubspot.sentMessages();
    const replyRequests = hubspot.requests.filter((r) => HubSpotRequests.sendMessage(r));
    const lastReplyAt = Math.max(...replyRequests.map((r) => r.at));
    const durationMs = lastReplyAt - startedWall;
    const byThread = new Map<string, string[][]>();
    for (const s of sent) {
      const list = byThread.get(s.threadId) ?? [];
      list.push(echoedLines(s.message.text ?? ''));
      byThread.set(s.threadId, list);
    }
    let lost = 0;
    let duplicates = 0;
    let answered = 0;
    let outOfOrderThreads = 0;
    let unexpected = 0;
    let oversized = 0;
    const replySizes = new Map<number, number>();
    for (const thread of threads) {
      const replies = byThread.get(thread.id) ?? [];
      const expected = messages
        .filter((m) => m.threadId === thread.id)
        .sort((a, b) => a.n - b.n)
        .map((m) => m.message.text ?? '');
      for (const lines of replies) {
        replySizes.set(lines.length, (replySizes.get(lines.length) ?? 0) + 1);
        if (lines.length === 0) unexpected += 1; // not an echo (e.g. a fallback text)
        if (lines.length > turnMax) oversized += 1;
      }
      // The thread's answered lines, reply after reply: each message once, in message order.
      const lines = replies.flat();
      for (const e of expected) {
        const c = lines.filter((l) => l === e).length;
        if (c === 0) lost += 1;
        else answered += 1;
        if (c > 1) duplicates += c - 1;
      }
      unexpected += lines.filter((l) => !expected.includes(l)).length;
      const firsts = lines.filter((l, i) => lines.indexOf(l) === i && expected.includes(l));
      if (firsts.join('\n') !== expected.filter((e) => firsts.includes(e)).join('\n')) outOfOrderThreads += 1;
    }
    if (lost > 0) problems.push(`${lost} message(s) without a reply`);
    if (duplicates > 0) problems.push(`${duplicates} duplicate answer(s) (a message answered more than once)`);
    if (unexpected > 0)
      problems.push(`${unexpected} reply(ies) or line(s) that answer no message (e.g. fallback texts)`);
    if (outOfOrderThreads > 0) problems.push(`${outOfOrderThreads} thread(s) answered out of order`);
    if (oversized > 0)
      problems.push(`${oversized} reply(ies) answering more than TURN_MAX_MESSAGES=${turnMax} messages`);
    if (rejected.length > 0) problems.push(`${rejected.length} webhook(s) not accepted by the api`);

    // Jobs.
    const completedJobs = (await queue.getJobs(['completed'], 0, -1)).filter((j) => j.name !== OUTCOME_SWEEP_JOB);
    const failedFinal = (await queue.getJobCounts('failed')).failed ?? 0;
    const attemptsMade = completedJobs.reduce((sum, j) => sum + j.attemptsMade, 0);
    const attemptsStarted = completedJobs.reduce((sum, j) => sum + (j.attemptsStarted ?? 0), 0);
    const retried = completedJobs.filter((j) => j.attemptsMade > 1 || (j.stacktrace ?? []).length > 0).length;
    if (failedFinal > 0) problems.push(`${failedFinal} failed job(s)`);
    if (counters.failed > 0) problems.push(`${counters.failed} failed job attempt(s)`);
    // Turns and bursts, as the jobs say: an answered job is a turn (its `members` answered with it);
    // a member's own job skips as "answered with <leader id>".
    const outcomes = completedJobs.map(
      (j) => (j.returnvalue ?? {}) as { status?: string; members?: string[]; reason?: string },
    );
    const turnCount = outcomes.filter((o) => o.status === 'answered').length;
    const memberCount = outcomes.reduce((sum, o) => sum + (o.status === 'answered' ? (o.members?.length ?? 0) : 0), 0);
    const memberSkips = outcomes.filter((o) => o.status === 'skipped' && o.reason?.startsWith('answered with ')).length;
    const combinedLines = [...replySizes.entries()].reduce((sum, [size, n]) => sum + Math.max(0, size - 1) * n, 0);
    if (turnCount !== sent.length || memberCount !== combinedLines || memberSkips !== memberCount) {
      problems.push(
        `turns and replies disagree: ${turnCount} answered jobs / ${sent.length} replies; ${memberCount} members / ` +
          `${combinedLines} lines answered in an earlier line's reply / ${memberSkips} jobs skipped as answered with another`,
      );
    }

    // Provider calls and limits at the fakes.
    const hsRequests = hubspot.requests;
    const hsCalls = countKinds(hsRequests, hubspotKind);
    const searchTimes = hsRequests.filter(isHubSpotSearch).map((r) => r.at);
    const standardTimes = hsRequests.filter((r) => !isHubSpotSearch(r)).map((r) => r.at);
    const atCalls = countKinds(airtable.requests, airtableKind);
    const aiCalls = countKinds(openai.requests, openaiKind);
    const modelCallCount = aiCalls.get('responses.create') ?? 0;
    // What this run's turns need: per message 1 read (a burst reads each member once, for the turn that
    // answers it); per turn 1 reply + 1 model call (a turn answers one message, or a burst); per new
    // thread 1 thread read + 1 contact read (each thread has a visitor contact id) and 1 Airtable select
    // + 1 upsert. Turns are the ones this run formed (TURN_MAX_MESSAGES=1: one per message).
    const upTo = (m: Map<string, number>, kind: string, most: number) => Math.min(m.get(kind) ?? 0, most);
    const neededHubSpot =
      upTo(hsCalls, 'GET message', total) +
      upTo(hsCalls, 'POST message (reply)', turnCount) +
      upTo(hsCalls, 'GET thread', threadCount) +
      upTo(hsCalls, 'GET contact', threadCount);
    const neededAirtable = upTo(atCalls, 'select', threadCount) + upTo(atCalls, 'upsert', threadCount);
    const neededModel = Math.min(modelCallCount, turnCount);
    const bounds = (hs: number, search: number, at: number, model: number): Bounds => ({
      hubspot: { calls: hs, ms: rateBound(hs, hubspotLimit, HUBSPOT_WINDOW_MS) },
      search: { calls: search, ms: rateBound(search, settings.searchPerSecond, 1000) },
      airtable: { calls: at, ms: rateBound(at, settings.airtablePerSecond, AIRTABLE_WINDOW_MS) },
      openai: { calls: model, ms: Math.ceil(model / settings.openaiMaxConcurrent) * settings.modelLatencyMs },
    });
    const conversationsPerThread = new Map<string, number>();
    for (const c of openai.conversations()) {
      const t = c.metadata.hubspot_thread_id;
      if (t) conversationsPerThread.set(t, (conversationsPerThread.get(t) ?? 0) + 1);
    }
    const threadsWithExtraConversations = [...conversationsPerThread.values()].filter((n) => n > 1).length;
    if (threadsWithExtraConversations > 0)
      problems.push(`${threadsWithExtraConversations} thread(s) got more than one OpenAI conversation`);
    const violations = {
      hubspot: hubspot.rateLimitViolations,
      airtable: airtable.rateLimitViolations,
      airtable429s: airtable.rateLimitedResponses,
      openai: modelCalls.violations,
      openaiLock: openai.lockViolations,
    };
    if (violations.hubspot > 0) {
      problems.push(
        `${violations.hubspot} HubSpot rate-limit violation(s) (first ${hubspotLimit + 1} arrivals inside 10 s: ` +
          `${firstExcess(standardTimes, hubspotLimit, HUBSPOT_WINDOW_MS) ?? firstExcess(searchTimes, settings.searchPerSecond, 1000) ?? '?'})`,
      );
    }
    if (violations.airtable > 0) {
      const times = airtable.requests.map((r) => r.at);
      problems.push(
        `${violations.airtable} Airtable rate-limit violation(s) (first ${settings.airtablePerSecond + 1} arrivals inside 1 s: ` +
          `${firstExcess(times, settings.airtablePerSecond, AIRTABLE_WINDOW_MS) ?? '?'})`,
      );
    }
    if (violations.openai > 0) problems.push(`${violations.openai} model call(s) beyond OPENAI_MAX_CONCURRENT`);
    if (violations.openaiLock > 0) problems.push(`${violations.openaiLock} OpenAI conversation lock violation(s)`);
    for (const [i, w] of workers.entries()) {
      if (w.proc.child.exitCode !== null) problems.push(`worker ${i + 1} exited (code ${w.proc.child.exitCode})`);
    }
    let warnLines = 0;
    for (const log of logs.slice(1)) {
      warnLines += readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"level":40') || l.includes('"level":50')).length;
    }

    const delta = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? undefined : b - a;
    const result: Result = {
      hubspotLimit,
      turnMax,
      durationMs,
      deliveryMs,
      timedOut,
      messages: total,
      threads: threadCount,
      answered,
      lost,
      duplicates,
      outOfOrderThreads,
      rejectedWebhooks: rejected.length,
      bursts: { turns: turnCount, members: memberCount, memberSkips, replies: sent.length, replySizes },
      calls: { hubspot: hsCalls, airtable: atCalls, openai: aiCalls },
      violations,
      peaks: {
        hubspot10s: peakInWindow(standardTimes, HUBSPOT_WINDOW_MS),
        search1s: peakInWindow(searchTimes, 1000),
        airtable1s: peakInWindow(
          airtable.requests.map((r) => r.at),
          AIRTABLE_WINDOW_MS,
        ),
        openaiInFlight: modelCalls.peak,
      },
      minimum: {
        needed: bounds(neededHubSpot, 0, neededAirtable, neededModel),
        made: bounds(standardTimes.length, searchTimes.length, airtable.requests.length, modelCallCount),
      },
      hubspotBudgetMs: rateBound(standardTimes.length, hubspotLimit, HUBSPOT_WINDOW_MS * BUDGET_WINDOW_SLACK),
      threadsWithExtraConversations,
      jobs: {
        completed: completedJobs.length,
        failedFinal,
        failedEvents: counters.failed,
        attemptsMade,
        attemptsStarted,
        delayedEvents: counters.delayed,
        retried,
        exhaustedByBudget: await budgetExhaustion(workers.map((w) => w.port)),
      },
      cpu: {
        workers: workers.map((_, i) => delta(cpuBefore.workers[i], cpuAfter.workers[i])),
        api: delta(cpuBefore.api, cpuAfter.api),
        redis: delta(cpuBefore.redis, cpuAfter.redis),
      },
      rssPeak,
      warnLines,
      logs,
      problems,
    };
    printResult(result);
    return result;
  } finally {
    clearInterval(sampler);
    agent.destroy();
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    await Promise.all([...workers.map((w) => stop(w.proc.child, 15_000)), stop(api.child, 15_000)]);
    await stop(redis.proc.child, 15_000);
    rmSync(redisDir, { recursive: true, force: true });
    await Promise.all([hubspot.stop(), openai.stop(), airtable.stop(), listafirme.stop(), anaf.stop()]);
  }
}

// ------------------------------------------------------------------------------------------------ output

/** The largest rate bound: of the calls the turns need (default), or of the calls made. */
function binding(r: Result, which: 'needed' | 'made' = 'needed'): { name: string; ms: number } {
  const m = r.minimum[which];
  const candidates = [
    { name: `HubSpot ${r.hubspotLimit}/10 s`, ms: m.hubspot.ms },
    { name: `HubSpot search ${settings.searchPerSecond}/s`, ms: m.search.ms },
    { name: `Airtable ${settings.airtablePerSecond}/s`, ms: m.airtable.ms },
    { name: `OpenAI ${settings.openaiMaxConcurrent} concurrent × ${settings.modelLatencyMs} ms`, ms: m.openai.ms },
  ];
  return candidates.reduce((a, b) => (b.ms > a.ms ? b : a));
}

const boundCell = (r: Result, key: keyof Bounds) =>
  `${r.minimum.needed[key].calls} → ${s1(r.minimum.needed[key].ms)} s / ${r.minimum.made[key].calls} → ${s1(r.minimum.made[key].ms)} s`;

const kinds = (m: Map<string, number>) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** Replies by how many messages each answers: "1 × 600, 2 × 150, …". */
const sizes = (r: Result) =>
  [...r.bursts.replySizes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([size, n]) => `${size} × ${n}`)
    .join(', ');

/** Attempts started (every pickup, delays included) per job; every message has its own job. */
const pickups = (r: Result) => (r.jobs.attemptsStarted / r.messages).toFixed(2);

const label = (r: Result) => `HUBSPOT_REQUESTS_PER_10S=${r.hubspotLimit}, TURN_MAX_MESSAGES=${r.turnMax}`;

function printResult(r: Result): void {
  const b = binding(r);
  console.log(
    `  duration ${s1(r.durationMs)} s (delivery ${s1(r.deliveryMs)} s); theoretical minimum ${s1(b.ms)} s (${b.name}); ratio ${(r.durationMs / b.ms).toFixed(2)}; ` +
      `minimum for the calls made ${s1(binding(r, 'made').ms)} s`,
  );
  console.log(
    `  answered ${r.answered}/${r.messages}, lost ${r.lost}, duplicates ${r.duplicates}, out-of-order threads ${r.outOfOrderThreads}; ` +
      `violations HubSpot ${r.violations.hubspot}, Airtable ${r.violations.airtable} (${r.violations.airtable429s} 429s), OpenAI concurrency ${r.violations.openai}, lock ${r.violations.openaiLock}`,
  );
  console.log(
    `  turns (model calls) ${r.bursts.turns}, replies ${r.bursts.replies}, members ${r.bursts.members} ` +
      `(jobs skipped as answered with another ${r.bursts.memberSkips}); messages per reply: ${sizes(r)}`,
  );
  console.log(
    `  calls: HubSpot ${kinds(r.calls.hubspot)}; Airtable ${kinds(r.calls.airtable)}; OpenAI ${kinds(r.calls.openai)}`,
  );
  console.log(
    `  jobs: completed ${r.jobs.completed}, failed ${r.jobs.failedFinal} ("failed" events ${r.jobs.failedEvents}), attempts made ${r.jobs.attemptsMade}, ` +
      `started ${r.jobs.attemptsStarted}, delayed events ${r.jobs.delayedEvents}; worker warn/error log lines ${r.warnLines}`,
  );
  console.log(
    `  pickups per job ${pickups(r)}; delays by budget: ${kinds(new Map(Object.entries(r.jobs.exhaustedByBudget)))}; ` +
      `redis CPU ${r.cpu.redis === undefined ? 'n/a' : s1(r.cpu.redis)} s`,
  );
  for (const p of r.problems) console.error(`  !!! ${p}`);
}

function resultTable(results: Result[]): string[] {
  const col = (f: (r: Result) => string) => results.map(f).join(' | ');
  const header = `| | ${col(label)} |`;
  const rows: [string, (r: Result) => string][] = [
    ['messages / threads', (r) => `${r.messages} / ${r.threads}`],
    [
      "**turns** (one model call + one reply each) / members (messages answered in an earlier message's turn)",
      (r) => `**${r.bursts.turns}** / ${r.bursts.members}`,
    ],
    ['replies by messages answered (messages × replies)', sizes],
    ['**duration** (first webhook sent → last reply received)', (r) => `**${s1(r.durationMs)} s**`],
    ['webhooks delivered in', (r) => `${s1(r.deliveryMs)} s`],
    [
      'theoretical minimum for the calls the turns need (binding constraint)',
      (r) => `${s1(binding(r).ms)} s (${binding(r).name})`,
    ],
    ['**duration / minimum**', (r) => `**${(r.durationMs / binding(r).ms).toFixed(2)}**`],
    [
      'minimum for the calls actually made (binding constraint); duration / that',
      (r) =>
        `${s1(binding(r, 'made').ms)} s (${binding(r, 'made').name}); ${(r.durationMs / binding(r, 'made').ms).toFixed(2)}`,
    ],
    ['HubSpot standard calls → minimum: needed / made', (r) => boundCell(r, 'hubspot')],
    [
      "HubSpot calls made → minimum with the budget's 10 % longer window",
      (r) => `${r.minimum.made.hubspot.calls} → ${s1(r.hubspotBudgetMs)} s`,
    ],
    ['HubSpot search calls → minimum: needed / made', (r) => boundCell(r, 'search')],
    ['Airtable calls → minimum: needed / made', (r) => boundCell(r, 'airtable')],
    ['model calls (OpenAI slots) → minimum: needed / made', (r) => boundCell(r, 'openai')],
    ['HubSpot calls by kind', (r) => kinds(r.calls.hubspot)],
    ['Airtable calls by kind', (r) => kinds(r.calls.airtable)],
    ['OpenAI calls by kind', (r) => kinds(r.calls.openai)],
    [
      '**violations** at the fakes: HubSpot 10 s / search, Airtable (429s incl. penalty), OpenAI concurrency, conversation lock',
      (r) =>
        `**${r.violations.hubspot}**, **${r.violations.airtable}** (${r.violations.airtable429s}), **${r.violations.openai}**, **${r.violations.openaiLock}**`,
    ],
    [
      'peak use at the fakes: HubSpot per 10 s / search per 1 s / Airtable per 1 s / model calls in flight',
      (r) => `${r.peaks.hubspot10s} / ${r.peaks.search1s} / ${r.peaks.airtable1s} / ${r.peaks.openaiInFlight}`,
    ],
    [
      '**answered / lost / duplicate answers / threads out of order**',
      (r) => `**${r.answered} / ${r.lost} / ${r.duplicates} / ${r.outOfOrderThreads}**`,
    ],
    ['threads with more than one OpenAI conversation', (r) => String(r.threadsWithExtraConversations)],
    [
      '**failed jobs** (in the failed set at the end / "failed" queue events)',
      (r) => `**${r.jobs.failedFinal}** / ${r.jobs.failedEvents}`,
    ],
    [
      'attempts made (BullMQ attemptsMade: budget and busy waits spend none) / attempts started (every pickup, delays included) / jobs that needed a retry after an error',
      (r) => `${r.jobs.attemptsMade} / ${r.jobs.attemptsStarted} / ${r.jobs.retried}`,
    ],
    ['**pickups per job** (attempts started / jobs; one job per message)', (r) => `**${pickups(r)}**`],
    ['delayed-job events (busy thread + out of budget)', (r) => `${r.jobs.delayedEvents}`],
    [
      "of which out of budget, by budget (workers' `rate_budget_exhausted_total`)",
      (r) => kinds(new Map(Object.entries(r.jobs.exhaustedByBudget))),
    ],
    [
      'GET message per message (re-reads after busy/budget delays)',
      (r) => ((r.calls.hubspot.get('GET message') ?? 0) / r.messages).toFixed(2),
    ],
    [
      'worker CPU s (each) / api / redis',
      (r) =>
        `${r.cpu.workers.map((c) => (c === undefined ? 'n/a' : (c / 1000).toFixed(1))).join(' + ')} / ` +
        `${r.cpu.api === undefined ? 'n/a' : (r.cpu.api / 1000).toFixed(1)} / ${r.cpu.redis === undefined ? 'n/a' : (r.cpu.redis / 1000).toFixed(1)}`,
    ],
    ['worker peak RSS MiB (each)', (r) => r.rssPeak.map((m) => m.toFixed(0)).join(' / ')],
    ['worker warn/error log lines', (r) => String(r.warnLines)],
  ];
  return [
    header,
    `| --- |${results.map(() => ' ---: |').join('')}`,
    ...rows.map(([label, f]) => `| ${label} | ${col(f)} |`),
  ];
}

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  for (const entry of [API_MAIN, WORKER_MAIN]) {
    if (!existsSync(entry)) fail(`${entry} not found: run \`npm run build\` first (or \`npm run bench:burst\`)`);
  }
  const host = machine(true);
  const command = commandLine(ROOT);
  console.log(`machine: ${host}\ncommand: ${command}`);
  const results: Result[] = [];
  for (const limit of settings.hubspotLimits) {
    for (const turnMax of settings.turnMaxMessages) results.push(await runConfiguration(limit, turnMax));
  }

  const problems = results.flatMap((r) => r.problems.map((p) => `${label(r)}: ${p}`));
  const lines = [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${host}`,
    `- command: \`${command}\``,
    ...(args['build-note'] ? [`- build: ${args['build-note']}`] : []),
    `- system: the built api and ${settings.workers} worker processes (\`${path.relative(ROOT, API_MAIN)}\`, \`${path.relative(ROOT, WORKER_MAIN)}\`; ` +
      `NODE_ENV=production, LOG_LEVEL=warn, WORKER_CONCURRENCY=${settings.workerConcurrency} each) on one throwaway redis-server (AOF on); ` +
      'Airtable is the mapping store; the fakes of test/fakes run inside the bench process on 127.0.0.1',
    `- limits ON at the fakes, and the same values in the workers' budgets: HubSpot per portal N requests per rolling 10 s (N per column), ` +
      `search ${settings.searchPerSecond}/s; Airtable ${settings.airtablePerSecond}/s per base (a violation = 429 + 30 s penalty on the base); ` +
      `OPENAI_MAX_CONCURRENT=${settings.openaiMaxConcurrent} (the fake has no limit of its own: a model call arriving while ${settings.openaiMaxConcurrent} are in flight counts as a violation); ` +
      `model latency ${settings.modelLatencyMs} ms; the fake model echoes every visitor line of its call (\`You said: a | b\`; no tool calls)`,
    `- TURN_MAX_MESSAGES per column (the workers' setting): 1 = every message its own turn (one model call and one reply per message); ` +
      `above 1, messages of a thread that wait behind its running turn are answered together in its next turn ` +
      `(up to that many per turn: one model call, one reply; each member's own job skips as "answered with <first>")`,
    `- load: ${settings.threads} new threads × ${settings.messages} messages = ${settings.threads * settings.messages} signed \`conversation.newMessage\` webhooks (one event each), ` +
      `a thread's first message at a random moment of the first ${settings.spreadMs} ms, each next one ${settings.gapMs}–${2 * settings.gapMs} ms after the previous (a visitor typing; seed ${settings.seed}), ` +
      `the threads' messages merged by time and sent by ${settings.senders} concurrent clients, a thread's next webhook only after the api acknowledged its previous one; ` +
      'the webhooks of our own replies are not delivered',
    '- done: every message has a reply at the fake HubSpot and no job is waiting, delayed or active (+2 s to catch late duplicates). ' +
      'Theoretical minimum per limit: n calls of that kind need floor((n − 1) / limit) windows after the first call; model calls need ceil(n / slots) × latency; ' +
      'the largest is the binding constraint. "Needed" counts the calls the turns this run formed need (per message 1 HubSpot read; per turn 1 reply + 1 model call, ' +
      'so with TURN_MAX_MESSAGES=1 per message 1 read + 1 reply + 1 model call; per new thread 1 thread read + 1 contact read + 1 Airtable select + 1 upsert), ' +
      '"made" the calls the fakes received (re-reads after delays included). With bursts the number of turns depends on the run ' +
      '(the longer messages wait, the more are answered together), so compare durations across columns, and each duration with its own minimum',
    '',
    ...resultTable(results),
    '',
    problems.length === 0
      ? '- verdict: **passed** — every message answered exactly once, in order per thread (a reply may answer several consecutive messages of its thread, at most TURN_MAX_MESSAGES); 0 violations at every fake; 0 failed jobs'
      : `- verdict: **FAILED** — ${problems.join('; ')}`,
  ];
  console.log(`\n${lines.join('\n')}`);
  if (problems.length > 0) {
    console.error('\n!!!!!!!!!! BURST BENCHMARK HAD ERRORS !!!!!!!!!!');
    for (const p of problems) console.error(`!!! ${p}`);
  }
  publish(SECTION, lines, args['no-write']);
  process.exit(problems.length > 0 ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/** Sums each worker's rate_budget_exhausted_total per budget label (its /metrics). */
async function budgetExhaustion(ports: number[]): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const port of ports) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    for (const [, budget, value] of text.matchAll(/rate_budget_exhausted_total\{budget="([^"]+)"\} (\d+(?:\.\d+)?)/g)) {
      sums[budget] = (sums[budget] ?? 0) + Number(value);
    }
  }
  return sums;
}
