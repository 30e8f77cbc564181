/**
 * End-to-end benchmark: signed HubSpot webhooks for N threads × M messages through the real api and the real
 * worker (child processes from dist/, LOG_LEVEL=warn, stdout to a file) against the provider fakes of test/fakes,
 * which run inside this process on localhost, and a throwaway redis-server on a free port.
 *
 *   npm run bench:e2e
 *     = npm run build && tsc -p bench/tsconfig.json && node .tools/bench-build/bench/e2e.bench.js [flags]
 *
 * Flags: --threads 200 --messages 3 --a-lanes 1,10,all --a-worker-concurrency 100
 *        --b-threads 250 --b-messages 5 --b-model-latency 1000 --b-worker-concurrency 256
 *        --b-stagger <ms> (default: the model latency; spreads B's first measured messages so loops are not in lockstep)
 *        --c-threads 50 --c-seconds 60 --c-settle 11 (budget-bound scenario C)
 *        --d-threads 100 --d-lanes 10 --d-model-latency 20 --d-gap 5 (fast pairs scenario D)
 *        --d-turn-max-messages 1 (D's TURN_MAX_MESSAGES: 1 = each message of a pair its own turn, what D measures;
 *        above 1 a pair whose second message arrives before the first's turn took its thread is answered together,
 *        counted apart; A, B and C run with the worker's default, 10: closed loops, no message waits behind a turn)
 *        --engines responses,chat-completions (each scenario runs per engine; ids of the chat engine end in "chat")
 *        --only A,B,C,D (any of them) --turn-timeout 120 --worker-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
 *        --api-node-args="…" --redis-monitor=FILE (Redis MONITOR of the measured phases) --no-write
 *
 * Scenarios: A (0 ms model latency, 1, 10 or all threads at once: our overhead), B (1 s model latency, many
 * threads: turns in flight), C (budget-bound: the fake HubSpot enforces 100 requests per rolling 10 s and the
 * worker runs with HUBSPOT_REQUESTS_PER_10S=100; every thread driven at once for --c-seconds: turns/s against
 * the budget's maximum), D (fast pairs: two messages --d-gap ms apart in one thread; the second one's model call
 * against the first one's reply).
 *
 * Correctness: the fake model echoes every visitor line of its call (bench-fakes.ts `echoEveryLine`), so a reply
 * names the messages it answers; per thread, the replies' lines must be its messages, each once, in order, and a
 * reply answers more than one only where bursts are on (at most TURN_MAX_MESSAGES).
 *
 * Per scenario: fresh fakes, Redis, api and worker. Phase 1 (warm-up) sends the first message of every thread
 * (new thread: conversation created, mapping written); phase 2 (measured) sends the remaining M-1 messages of
 * every thread (known thread). A thread's messages go one after another (the next one once the previous job
 * completed, as a visitor answers after reading the reply: a thread runs one turn at a time by design); load
 * comes from driving many threads at once ("lanes": how many threads are driven concurrently).
 *
 * Measurement (all clocks: performance.now() of this process):
 * - e2e latency of a turn: webhook POST sent → the fake HubSpot receives the reply POST (request event).
 * - time in fakes: every fake request is timed from its request event to its response's finish event
 *   (routing, handler, latency sleeps, serialisation); requests are attributed to their thread (HubSpot path,
 *   OpenAI metadata/conversation, Airtable formula/fields) and the union of their intervals inside
 *   [sent, reply received] is the turn's time in fakes. 1 s model latency is therefore subtracted in full.
 * - added latency = e2e − time in fakes: api + Redis + queue + worker + HTTP client/socket time.
 * - in-flight model calls: POST /v1/responses or /v1/chat/completions between request event and response finish, at the fake.
 * - upstream calls per turn: requests the fakes recorded during a phase / turns of that phase.
 * - worker RSS: /proc/<pid>/status VmRSS every 200 ms.
 *
 * - webhook echo: once a turn's job completed, the bench delivers the signed `conversation.newMessage` webhook of
 *   every reply the fake HubSpot received for that thread (as HubSpot would; delivering it earlier would race the
 *   worker's own-message mark, written right after the reply POST returns, which HubSpot's delivery never does),
 *   and counts what the api made of it (its answer's `ignored` = recognised as our own, `accepted` = became a job).
 *   The measured phase ends once every echo was answered, so its Redis commands include them.
 * - bare BullMQ job (after each A scenario, on a fresh redis-server configured alike): see bare-bullmq.ts.
 *
 * Rate limits of the fakes are off (HubSpot perTenSeconds/searchPerSecond = Infinity, Airtable rateLimit:false)
 * and so are the worker's budgets (0), except in C: this measures our own overhead.
 */
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import {
  Agent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { signV3 } from '../apps/api/src/webhooks/hubspot-signature';
import { promptCacheKey } from '../apps/worker/src/engines/chat-completions/server-quirks';
import type { FakeHttpServer, RecordedRequest } from '../test/fakes/fake-http-server';
import { HubSpotRequests, type HubSpotThread } from '../test/fakes/hubspot.fake';
import {
  API_ENTRY,
  apiEnv,
  commandLine,
  commandsPer,
  cpuSnapshot,
  cpuUse,
  freePort,
  machine,
  otherCpus,
  pct,
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
import { measureBareBullmq, type BareBullmqResult } from './bare-bullmq.ts';
import { echoedLines, startProviderFakes, THREAD_FIELD, workerEnvFor, type ProviderFakes } from './bench-fakes.ts';

// ------------------------------------------------------------------------------------------------ constants

const WORKER_ENTRY = path.join(ROOT, 'dist/apps/worker/main.js');
const SECTION = '## End to end (npm run bench:e2e)';

const TARGET_ADDED_P50_MS = 15;
const TARGET_ADDED_P99_MS = 50;
const TARGET_IN_FLIGHT = 200;
const TARGET_HUBSPOT_PER_TURN = 2;
/** Redis commands per known-thread turn (echo included) ≤ this × a bare BullMQ job's. */
const TARGET_REDIS_RATIO = 1.5;
/** Budget-bound turns/s ≥ this share of the budget's theoretical maximum. */
const TARGET_BUDGET_SHARE = 0.95;
/** Fast pairs: second message's model call ≤ this long after the first reply was posted (p99). */
const TARGET_PAIR_P99_MS = 50;
/** The worker's TURN_MAX_MESSAGES default (apps/worker/src/config/worker-config.ts). */
const DEFAULT_TURN_MAX = 10;
/** HubSpot's standard limit of the budget-bound scenario (HUBSPOT_REQUESTS_PER_10S's default). */
const BUDGET_PER_10S = 100;
/** apps/worker/src/budgets/rate-budget.service.ts WINDOW_SLACK: the worker counts a 10 % longer window. */
const WORKER_WINDOW_SLACK = 1.1;
/** Above this many CPUs busy outside the benchmark during the measured phase, the run is flagged as noisy. */
const NOISY_OTHER_CPUS = 0.25;

// ------------------------------------------------------------------------------------------------ arguments

const { fail, int } = usage('e2e bench');
const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '200' },
    messages: { type: 'string', default: '3' },
    'a-lanes': { type: 'string', default: '1,10,all' },
    'a-worker-concurrency': { type: 'string', default: '100' },
    'b-threads': { type: 'string', default: '250' },
    'b-messages': { type: 'string', default: '5' },
    'b-stagger': { type: 'string' },
    'b-model-latency': { type: 'string', default: '1000' },
    'b-worker-concurrency': { type: 'string', default: '256' },
    'c-threads': { type: 'string', default: '50' },
    'c-seconds': { type: 'string', default: '60' },
    'c-settle': { type: 'string', default: '11' },
    'd-threads': { type: 'string', default: '100' },
    'd-lanes': { type: 'string', default: '10' },
    'd-model-latency': { type: 'string', default: '20' },
    'd-gap': { type: 'string', default: '5' },
    'd-turn-max-messages': { type: 'string', default: '1' },
    only: { type: 'string' },
    engines: { type: 'string', default: 'responses,chat-completions' },
    'turn-timeout': { type: 'string', default: '120' },
    'worker-node-args': { type: 'string', default: '' },
    'api-node-args': { type: 'string', default: '' },
    'redis-monitor': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

type Engine = 'responses' | 'chat-completions';
type Kind = 'A' | 'B' | 'C' | 'D';

interface Scenario {
  id: string;
  kind: Kind;
  engine: Engine;
  modelLatencyMs: number;
  threads: number;
  messages: number;
  /** Threads driven at the same time. */
  lanes: number;
  workerConcurrency: number;
  /** Measured phase: thread i starts after i × staggerMs / threads, so the closed loops do not run in lockstep. */
  staggerMs: number;
  /** C: the worker's HUBSPOT_REQUESTS_PER_10S and the fake's limit (0 = none, every other kind). */
  hubspotPer10s: number;
  /** C: how long the measured phase offers load, and the part of it left out before counting. */
  durationMs: number;
  settleMs: number;
  /** D: time between the two webhooks of a pair. */
  gapMs: number;
  /** The worker's TURN_MAX_MESSAGES; undefined: its default (10). */
  turnMax?: number;
}

function scenarios(): Scenario[] {
  const engines = args.engines.split(',').map((e) => e.trim());
  if (!engines.every((e) => e === 'responses' || e === 'chat-completions')) {
    fail('--engines takes responses and/or chat-completions');
  }
  // Engines alternate per scenario, so the machine's drift over the run hits both alike.
  return engineScenarios().flatMap((s) =>
    (engines as Engine[]).map((engine) => ({ ...s, engine, id: engine === 'responses' ? s.id : `${s.id} chat` })),
  );
}

function engineScenarios(): Omit<Scenario, 'engine'>[] {
  const only = (args.only ?? 'A,B,C,D').toUpperCase().split(',');
  if (!only.every((k) => ['A', 'B', 'C', 'D'].includes(k))) fail('--only takes A, B, C and/or D');
  const none = { hubspotPer10s: 0, durationMs: 0, settleMs: 0, gapMs: 0, staggerMs: 0 };
  const list: Omit<Scenario, 'engine'>[] = [];
  if (only.includes('A')) {
    const threads = int('threads', args.threads, 1);
    const messages = int('messages', args.messages, 2);
    for (const lane of args['a-lanes'].split(',').map((s) => s.trim())) {
      const lanes = lane === 'all' ? threads : Math.min(threads, int('a-lanes', lane, 1));
      list.push({
        ...none,
        id: `A·${lane === 'all' ? 'all' : lanes}`,
        kind: 'A',
        modelLatencyMs: 0,
        threads,
        messages,
        lanes,
        workerConcurrency: int('a-worker-concurrency', args['a-worker-concurrency'], 1),
      });
    }
  }
  if (only.includes('B')) {
    const threads = int('b-threads', args['b-threads'], 1);
    const modelLatencyMs = int('b-model-latency', args['b-model-latency'], 0);
    list.push({
      ...none,
      id: 'B',
      kind: 'B',
      modelLatencyMs,
      staggerMs: args['b-stagger'] === undefined ? modelLatencyMs : int('b-stagger', args['b-stagger'], 0),
      threads,
      messages: int('b-messages', args['b-messages'], 2),
      lanes: threads,
      workerConcurrency: int('b-worker-concurrency', args['b-worker-concurrency'], 1),
    });
  }
  if (only.includes('C')) {
    const threads = int('c-threads', args['c-threads'], 1);
    list.push({
      ...none,
      id: 'C',
      kind: 'C',
      modelLatencyMs: 0,
      threads,
      messages: 0, // as many as the duration allows
      lanes: threads,
      workerConcurrency: int('a-worker-concurrency', args['a-worker-concurrency'], 1),
      hubspotPer10s: BUDGET_PER_10S,
      durationMs: int('c-seconds', args['c-seconds'], 1) * 1000,
      settleMs: int('c-settle', args['c-settle'], 0) * 1000,
    });
  }
  if (only.includes('D')) {
    const threads = int('d-threads', args['d-threads'], 1);
    list.push({
      ...none,
      id: 'D',
      kind: 'D',
      modelLatencyMs: int('d-model-latency', args['d-model-latency'], 0),
      threads,
      messages: 3, // the first (warm-up), then the pair
      lanes: Math.min(threads, int('d-lanes', args['d-lanes'], 1)),
      workerConcurrency: int('a-worker-concurrency', args['a-worker-concurrency'], 1),
      gapMs: int('d-gap', args['d-gap'], 0),
      turnMax: int('d-turn-max-messages', args['d-turn-max-messages'], 1),
    });
  }
  return list;
}

const turnTimeoutMs = int('turn-timeout', args['turn-timeout'], 1) * 1000;
const workerNodeArgs = args['worker-node-args'].split(' ').filter(Boolean);
const apiNodeArgs = args['api-node-args'].split(' ').filter(Boolean);

// ------------------------------------------------------------------------------------------------ processes

/** A throwaway redis-server (AOF on and noeviction, as in production) in a temp dir. */
async function startRedis(): Promise<{ url: string; proc: Child; dir: string; version: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-bench-redis-'));
  const redis = await startRedisServer(['--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction'], {
    PATH: process.env.PATH,
  });
  return { ...redis, dir };
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

/** Diagnostics: every command Redis executes, one line each, into `file` (MONITOR slows Redis down). */
async function startMonitor(url: string, file: string): Promise<Redis> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  const out = openSync(file, 'w');
  const monitor = await client.monitor();
  monitor.on('monitor', (time: string, argv: string[], source: string) => {
    writeSync(out, `${time} ${source} ${argv.map((a) => (a.length > 80 ? `${a.slice(0, 77)}...` : a)).join(' ')}\n`);
  });
  client.disconnect();
  console.log(`  redis MONITOR → ${file}`);
  return monitor;
}

// ------------------------------------------------------------------------------------------------ fakes

type Provider = 'hubspot' | 'openai' | 'airtable' | 'listafirme' | 'anaf';
const PROVIDERS: Provider[] = ['hubspot', 'openai', 'airtable', 'listafirme', 'anaf'];

interface Timing {
  start: number;
  end: number;
}

interface Fakes extends ProviderFakes {
  /** Request headers object (shared with the fake's RecordedRequest) → service time. */
  timings: WeakMap<object, Timing>;
  inFlight: InFlightGauge;
  /** When each fake accepted a TCP connection (keep-alive check). */
  connections: Record<Provider, number[]>;
  /** Chat completions carry no thread id, only the thread's prompt cache key. */
  threadByCacheKey: Map<string, string>;
}

/** Concurrent model calls (`POST /v1/responses` or `/v1/chat/completions`) at the fake OpenAI, over time. */
class InFlightGauge {
  current = 0;
  peak = 0;
  readonly steps: { at: number; value: number }[] = [];

  change(delta: number): void {
    this.current += delta;
    if (this.current > this.peak) this.peak = this.current;
    this.steps.push({ at: performance.now(), value: this.current });
  }

  /** Peak, time-weighted mean and share of time at or above `threshold` within [from, to]. */
  window(from: number, to: number, threshold: number): { peak: number; mean: number; shareAtOrAbove: number } {
    let value = 0;
    let at = from;
    let area = 0;
    let above = 0;
    let peak = 0;
    for (const s of this.steps) {
      if (s.at <= from) {
        value = s.value;
        continue;
      }
      if (s.at > to) break;
      area += value * (s.at - at);
      if (value >= threshold) above += s.at - at;
      peak = Math.max(peak, value, s.value);
      value = s.value;
      at = s.at;
    }
    area += value * (to - at);
    if (value >= threshold) above += to - at;
    peak = Math.max(peak, value);
    const span = Math.max(1e-9, to - from);
    return { peak, mean: area / span, shareAtOrAbove: above / span };
  }
}

/** `hubspotPer10s`: the fake HubSpot's standard limit per rolling 10 s; 0 = none. */
async function startFakes(modelLatencyMs: number, hubspotPer10s: number): Promise<Fakes> {
  const providers = await startProviderFakes({ modelLatencyMs, airtable: { rateLimit: false } });
  providers.hubspot.setRateLimit({ perTenSeconds: hubspotPer10s || Infinity, searchPerSecond: Infinity });

  const fakes: Fakes = {
    ...providers,
    timings: new WeakMap(),
    inFlight: new InFlightGauge(),
    connections: { hubspot: [], openai: [], airtable: [], listafirme: [], anaf: [] },
    threadByCacheKey: new Map(),
  };
  for (const provider of PROVIDERS) {
    const fake: FakeHttpServer = fakes[provider];
    // The fakes keep their node:http server private; a listener placed before theirs times each request.
    const server = (fake as unknown as { server?: Server }).server;
    if (!server) throw new Error(`fake ${provider} has no server`);
    server.on('connection', () => fakes.connections[provider].push(performance.now()));
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const timing: Timing = { start: performance.now(), end: NaN };
      fakes.timings.set(req.headers, timing);
      const isModelCall =
        provider === 'openai' &&
        req.method === 'POST' &&
        (req.url === '/v1/responses' || req.url === '/v1/chat/completions');
      if (isModelCall) fakes.inFlight.change(+1);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        timing.end = performance.now();
        if (isModelCall) fakes.inFlight.change(-1);
      };
      res.once('finish', finish);
      res.once('close', finish);
    });
  }
  return fakes;
}

async function stopFakes(f: Fakes): Promise<void> {
  await Promise.all(PROVIDERS.map((p) => f[p].stop()));
}

/** One upstream call as the fakes saw it. */
interface Call {
  provider: Provider;
  kind: string;
  threadId: string | undefined;
  start: number;
  end: number;
}

function hubspotKind(r: RecordedRequest): string {
  if (HubSpotRequests.getMessage(r)) return 'GET message';
  if (HubSpotRequests.sendMessage(r)) return 'POST message (reply)';
  if (HubSpotRequests.listMessages(r)) return 'GET messages (list)';
  if (HubSpotRequests.getThread(r)) return 'GET thread';
  if (HubSpotRequests.contacts(r)) return `${r.method} contacts`;
  return `${r.method} other`;
}

function openaiKind(r: RecordedRequest): string {
  if (r.path === '/v1/responses' && r.method === 'POST') return 'responses.create';
  if (r.path === '/v1/chat/completions' && r.method === 'POST') return 'chat.completions.create';
  if (r.path === '/v1/conversations' && r.method === 'POST') return 'conversations.create';
  if (r.path.startsWith('/v1/conversations/')) return `${r.method} conversations/…`;
  return `${r.method} ${r.path}`;
}

function kindOf(provider: Provider, r: RecordedRequest): string {
  switch (provider) {
    case 'hubspot':
      return hubspotKind(r);
    case 'openai':
      return openaiKind(r);
    case 'airtable':
      return r.method === 'GET' || r.path.endsWith('/listRecords')
        ? 'select'
        : r.method === 'PATCH'
          ? 'upsert'
          : r.method;
    case 'listafirme':
      return path.basename(r.path);
    case 'anaf':
      return 'tva';
  }
}

function threadOf(f: Fakes, provider: Provider, r: RecordedRequest): string | undefined {
  const meta = (body: unknown): string | undefined => {
    const m = (body as { metadata?: { hubspot_thread_id?: unknown } } | undefined)?.metadata?.hubspot_thread_id;
    return typeof m === 'string' ? m : undefined;
  };
  switch (provider) {
    case 'hubspot':
      return /\/threads\/([^/]+)/.exec(r.path)?.[1];
    case 'openai': {
      const fromBody = meta(r.body);
      if (fromBody) return fromBody;
      const cacheKey = (r.body as { prompt_cache_key?: unknown } | undefined)?.prompt_cache_key;
      if (typeof cacheKey === 'string') return f.threadByCacheKey.get(cacheKey);
      const conv = /^\/v1\/conversations\/([^/]+)/.exec(r.path)?.[1];
      return conv ? f.openai.conversation(conv)?.metadata.hubspot_thread_id : undefined;
    }
    case 'airtable': {
      const text = `${decodeURIComponent(r.query.toString())} ${r.rawBody}`;
      return (/'(\d+)'/.exec(text) ?? new RegExp(`"${THREAD_FIELD}"\\s*:\\s*"(\\d+)"`).exec(text))?.[1];
    }
    default:
      return undefined; // company lookups carry no thread id (none on a plain turn)
  }
}

function collectCalls(f: Fakes): Call[] {
  const calls: Call[] = [];
  for (const provider of PROVIDERS) {
    for (const r of f[provider].requests) {
      const t = f.timings.get(r.headers);
      calls.push({
        provider,
        kind: kindOf(provider, r),
        threadId: threadOf(f, provider, r),
        start: t?.start ?? NaN,
        end: t?.end ?? NaN,
      });
    }
  }
  return calls;
}

// ------------------------------------------------------------------------------------------------ driving

type Phase = 'warmup' | 'measured';

interface Turn {
  threadId: string;
  phase: Phase;
  text: string;
  messageId: string;
  sentAt: number;
  ackAt: number;
  doneAt: number;
  outcome: 'completed' | 'failed' | 'timeout' | 'rejected';
  detail?: string;
}

interface JobWaiter {
  resolve: (r: { outcome: 'completed' | 'failed'; detail?: string }) => void;
}

/** What the api made of the webhooks of our own replies, from its answers ({accepted, duplicates, ignored, invalid}). */
interface EchoCounts {
  /** Recognised by the own-message mark: acknowledged without a job (the api counts them as ignored). */
  own: number;
  /** Became a job (the mark was not there). */
  jobs: number;
  duplicates: number;
  /** Refused or failed requests, or answers of another shape. */
  other: number;
}

const noEchoes = (): EchoCounts => ({ own: 0, jobs: 0, duplicates: 0, other: 0 });

/** A signed webhook request, as HubSpot sends it (v3 signature over method, URL, body and timestamp). */
function signedWebhook(events: unknown[]): { body: Buffer; headers: OutgoingHttpHeaders } {
  const body = Buffer.from(JSON.stringify(events));
  const timestamp = String(Date.now());
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'content-length': body.length,
      'x-hubspot-signature-v3': signV3(SECRET, 'POST', WEBHOOK_URL, body, timestamp),
      'x-hubspot-request-timestamp': timestamp,
    },
  };
}

class Driver {
  readonly turns: Turn[] = [];
  delayedEvents = 0;
  failedEvents = 0;
  /** Echoes answered, by the phase of the turn whose reply they echo. */
  readonly echoes: Record<Phase, EchoCounts> = { warmup: noEchoes(), measured: noEchoes() };
  private readonly waiters = new Map<string, JobWaiter>();
  /** Replies of each thread whose echo was sent already. */
  private readonly echoed = new Map<string, number>();
  private readonly pendingEchoes = new Set<Promise<void>>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1024 });

  constructor(
    private readonly fakes: Fakes,
    private readonly apiPort: number,
    events: QueueEvents,
  ) {
    events.on('completed', ({ jobId }) => this.waiters.get(jobId)?.resolve({ outcome: 'completed' }));
    events.on('failed', ({ jobId, failedReason }) => {
      this.failedEvents += 1;
      console.error(`  job ${jobId} failed: ${failedReason}`);
    });
    events.on('retries-exhausted', ({ jobId }) =>
      this.waiters.get(jobId)?.resolve({ outcome: 'failed', detail: 'retries exhausted' }),
    );
    events.on('delayed', ({ jobId }) => {
      // The worker's repeatable outcome job (ids `repeat:…`) waits for its next run: not a turn's delay.
      if (!jobId.startsWith('repeat:')) this.delayedEvents += 1;
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /** `lanes` loops, each taking the next thread and running `fn` on it; lane i starts after i × staggerMs / lanes. */
  async drive(
    threads: HubSpotThread[],
    lanes: number,
    fn: (t: HubSpotThread) => Promise<void>,
    staggerMs = 0,
  ): Promise<void> {
    let next = 0;
    const count = Math.min(lanes, threads.length);
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        if (staggerMs > 0) await sleep((i * staggerMs) / count);
        while (next < threads.length) await fn(threads[next++]);
      }),
    );
  }

  /** One visitor message: signed webhook, then wait until its job completed. */
  async turn(thread: HubSpotThread, phase: Phase, n: number): Promise<void> {
    const hubspot = this.fakes.hubspot;
    const text = `Message ${n} of thread ${thread.id}: what are your opening hours?`;
    const message = hubspot.addVisitorMessage(thread.id, text);
    const event = hubspot.webhookEventFor(message);
    const jobId = `msg-${event.portalId}-${message.id}`; // messageJobId(), libs/contracts/src/job-ids.ts
    const { body, headers } = signedWebhook([event]);
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<{ outcome: Turn['outcome']; detail?: string }>((resolve) => {
      this.waiters.set(jobId, { resolve });
      timer = setTimeout(
        () => resolve({ outcome: 'timeout', detail: `no completion within ${turnTimeoutMs} ms` }),
        turnTimeoutMs,
      );
    });
    const turn: Turn = {
      threadId: thread.id,
      phase,
      text,
      messageId: message.id,
      sentAt: performance.now(),
      ackAt: NaN,
      doneAt: NaN,
      outcome: 'completed',
    };
    this.turns.push(turn);
    try {
      const res = await this.post(body, headers);
      turn.ackAt = performance.now();
      if (res.status !== 200 || !res.body.includes('"accepted":1')) {
        turn.outcome = 'rejected';
        turn.detail = `webhook answered ${res.status} ${res.body.slice(0, 200)}`;
        return;
      }
      const result = await finished;
      turn.doneAt = performance.now();
      turn.outcome = result.outcome;
      turn.detail = result.detail;
      if (result.outcome === 'completed') this.echoReplies(thread.id, phase);
    } catch (err) {
      turn.outcome = 'rejected';
      turn.detail = `webhook failed: ${(err as Error).message}`;
    } finally {
      clearTimeout(timer);
      this.waiters.delete(jobId);
    }
  }

  /** Resolves once every echo sent so far was answered. */
  async echoesAnswered(): Promise<void> {
    while (this.pendingEchoes.size > 0) await Promise.all([...this.pendingEchoes]);
  }

  /** Sends, without waiting, the webhook of every reply of the thread not echoed yet. */
  private echoReplies(threadId: string, phase: Phase): void {
    const hubspot = this.fakes.hubspot;
    const sent = hubspot.sentMessages(threadId);
    for (const reply of sent.slice(this.echoed.get(threadId) ?? 0)) {
      const pending = this.echo(hubspot.webhookEventFor(reply.message), this.echoes[phase]);
      this.pendingEchoes.add(pending);
      void pending.finally(() => this.pendingEchoes.delete(pending));
    }
    this.echoed.set(threadId, sent.length);
  }

  private async echo(event: unknown, counts: EchoCounts): Promise<void> {
    const { body, headers } = signedWebhook([event]);
    try {
      const res = await this.post(body, headers);
      const answer = res.status === 200 ? (JSON.parse(res.body) as Partial<Record<string, number>>) : {};
      if (answer.ignored === 1) counts.own++;
      else if (answer.accepted === 1) counts.jobs++;
      else if (answer.duplicates === 1) counts.duplicates++;
      else counts.other++;
    } catch {
      counts.other++;
    }
  }

  private post(body: Buffer, headers: OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: this.apiPort,
          method: 'POST',
          path: '/webhooks/hubspot',
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

// ------------------------------------------------------------------------------------------------ one scenario

let redisVersion = '?';

interface TurnFigures {
  e2e: number;
  inFakes: number;
  added: number;
  ack: number;
  beforeFirstCall: number;
  betweenCalls: number;
}

interface ScenarioResult {
  s: Scenario;
  measuredTurns: number;
  warmupTurns: number;
  turnsPerSec: number;
  measuredMs: number;
  figures: TurnFigures[];
  /** provider → kind → count, per phase. */
  calls: Record<Phase, Map<string, number>>;
  /** New TCP connections per turn, by provider. */
  connectionsPerTurn: Record<Phase, Record<Provider, number>>;
  perTurn: Record<Phase, Record<Provider, number>>;
  /** peak: measured phase; mean and share: its steady part (every thread started, none finished). */
  inFlight: { peakAll: number; peak: number; mean: number; shareAtOrAbove: number; steadyMs: number };
  rss: { ready: number; afterWarmup: number; peak: number; end: number };
  /** Redis commands per measured turn by command (the bench's own XREAD for QueueEvents excluded), echoes included. */
  redisPerTurn: [string, number][];
  /** What the api made of the echoes of the measured turns' replies. */
  echoes: EchoCounts;
  /** A: bare BullMQ jobs driven alike, on a fresh redis-server (filled in by main). */
  bare?: BareBullmqResult;
  budget?: BudgetFigures;
  pairs?: PairFigures;
  cpuMsPerTurn: { api?: number; worker?: number; redis?: number; bench: number };
  otherCpus?: number;
  benchLoopDelay: { p99: number; max: number };
  /** Replies that answered several messages (bursts; only where TURN_MAX_MESSAGES > 1). */
  combinedReplies: number;
  delayedEvents: number;
  failedEvents: number;
  lockViolations: number;
  problems: string[];
  logs: { api: string; worker: string };
}

const between = (times: number[], from: number, to: number) => times.filter((t) => t >= from && t <= to).length;
const perProvider = (fn: (p: Provider) => number) =>
  Object.fromEntries(PROVIDERS.map((p) => [p, fn(p)])) as Record<Provider, number>;

function unionWithin(intervals: Timing[], from: number, to: number): number {
  const clipped = intervals
    .map((i) => ({ start: Math.max(from, i.start), end: Math.min(to, i.end) }))
    .filter((i) => i.end > i.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const i of clipped) {
    if (i.start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = i.start;
      curEnd = i.end;
    } else curEnd = Math.max(curEnd, i.end);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

function turnFigures(turns: Turn[], calls: Call[], problems: string[]): TurnFigures[] {
  const byThread = new Map<string, Call[]>();
  for (const c of calls) {
    if (c.threadId === undefined) continue;
    const list = byThread.get(c.threadId) ?? [];
    list.push(c);
    byThread.set(c.threadId, list);
  }
  for (const list of byThread.values()) list.sort((a, b) => a.start - b.start);
  const out: TurnFigures[] = [];
  for (const t of turns) {
    if (t.outcome !== 'completed') continue;
    const mine = (byThread.get(t.threadId) ?? []).filter((c) => c.start >= t.sentAt && c.start <= t.doneAt);
    const reply = mine.find((c) => c.provider === 'hubspot' && c.kind === 'POST message (reply)');
    if (!reply) {
      problems.push(`turn of thread ${t.threadId} completed without a reply request`);
      continue;
    }
    const before = mine.filter((c) => c.start < reply.start);
    const e2e = reply.start - t.sentAt;
    const inFakes = unionWithin(before, t.sentAt, reply.start);
    const beforeFirstCall = (before[0]?.start ?? reply.start) - t.sentAt;
    const added = e2e - inFakes;
    out.push({ e2e, inFakes, added, ack: t.ackAt - t.sentAt, beforeFirstCall, betweenCalls: added - beforeFirstCall });
  }
  return out;
}

interface BudgetFigures {
  windowMs: number;
  replies: number;
  hubspotCalls: number;
  turnsPerSec: number;
  hubspotCallsPerTurn: number;
  /** Turns/s the provider's limit allows at that many calls per turn, and with the worker's 10 % longer window. */
  maxTurnsPerSec: number;
  maxWithSlack: number;
  violations: number;
  /** Longest time without a HubSpot request in the window: the budget idling while the offered load waits. */
  longestPauseMs: number;
  /** HubSpot requests in each 10 s slice of the window (bursts and pauses show here). */
  perSlice: number[];
}

/**
 * C: replies and HubSpot requests whose request event falls in the counting window (the measured phase's
 * load after `settleMs`, so the budget is saturated and warm-up calls are out of its window).
 */
function budgetFigures(
  s: Scenario,
  calls: Call[],
  loadStart: number,
  callsPerTurn: number,
  violations: number,
): BudgetFigures {
  const from = loadStart + s.settleMs;
  const to = from + s.durationMs;
  const inWindow = calls.filter((c) => c.provider === 'hubspot' && c.start >= from && c.start < to);
  const replies = inWindow.filter((c) => c.kind === 'POST message (reply)').length;
  const perSecond = s.hubspotPer10s / 10;
  const starts = [from, ...inWindow.map((c) => c.start).sort((a, b) => a - b), to];
  const perSlice = Array.from({ length: Math.ceil(s.durationMs / 10_000) }, () => 0);
  for (const c of inWindow) perSlice[Math.floor((c.start - from) / 10_000)]++;
  return {
    windowMs: s.durationMs,
    replies,
    hubspotCalls: inWindow.length,
    turnsPerSec: replies / (s.durationMs / 1000),
    hubspotCallsPerTurn: callsPerTurn,
    maxTurnsPerSec: perSecond / callsPerTurn,
    maxWithSlack: perSecond / WORKER_WINDOW_SLACK / callsPerTurn,
    violations,
    longestPauseMs: Math.max(...starts.slice(1).map((t, i) => t - starts[i])),
    perSlice,
  };
}

interface PairFigures {
  pairs: number;
  /** Per pair: the first reply's request event → the second message's model call's request event (ms). */
  gaps: number[];
  /** Its first part: the first reply → the second message's `GET message` (first turn ends, second job starts). */
  handoffs: number[];
  /** Pairs answered together, one model call and one reply (a burst: only with TURN_MAX_MESSAGES > 1). */
  combined: number;
  /** Other pairs whose second message reached the model before the first reply (out of order). */
  early: number;
  unmatched: number;
}

/**
 * D: per thread, the reply POST of the pair's first message (the fake echoes the lines it got) and the first
 * model call whose body holds the second message's text (its own call: earlier calls cannot hold it). A pair
 * answered together (one reply echoing both) has no gap to measure: counted apart.
 */
function pairFigures(f: Fakes, turns: Turn[]): PairFigures {
  const startOf = (r: RecordedRequest) => f.timings.get(r.headers)?.start ?? NaN;
  /** Each answered line → its reply's request event and how many lines that reply answers. */
  const replyAt = new Map<string, { at: number; lines: number }>();
  for (const r of f.hubspot.requests) {
    const text = (r.body as { text?: unknown } | undefined)?.text;
    if (!HubSpotRequests.sendMessage(r) || typeof text !== 'string') continue;
    const lines = echoedLines(text);
    const reply = { at: startOf(r), lines: lines.length };
    for (const line of lines) replyAt.set(line, reply);
  }
  const getMessageAt = new Map<string, number>();
  for (const r of f.hubspot.requests) {
    if (HubSpotRequests.getMessage(r)) getMessageAt.set(path.basename(r.path), startOf(r));
  }
  const modelCalls = f.openai.requests
    .filter((r) => r.method === 'POST' && (r.path === '/v1/responses' || r.path === '/v1/chat/completions'))
    .map((r) => ({ start: startOf(r), body: r.rawBody }))
    .sort((a, b) => a.start - b.start);
  const byThread = new Map<string, Turn[]>();
  for (const t of turns) byThread.set(t.threadId, [...(byThread.get(t.threadId) ?? []), t]);
  const out: PairFigures = { pairs: 0, gaps: [], handoffs: [], combined: 0, early: 0, unmatched: 0 };
  for (const [first, second] of byThread.values()) {
    out.pairs++;
    const firstReply = replyAt.get(first.text);
    const reply = firstReply?.at;
    const call = modelCalls.find((c) => c.body.includes(second.text));
    if (firstReply !== undefined && firstReply.lines > 1 && replyAt.get(second.text) === firstReply) out.combined++;
    else if (reply === undefined || call === undefined) out.unmatched++;
    else if (call.start < reply) out.early++;
    else {
      out.gaps.push(call.start - reply);
      out.handoffs.push((getMessageAt.get(second.messageId) ?? NaN) - reply);
    }
  }
  out.gaps.sort((a, b) => a - b);
  out.handoffs.sort((a, b) => a - b);
  return out;
}

/** The measured load of a scenario: known-thread turns, driven as its kind says. */
async function measuredLoad(driver: Driver, threads: HubSpotThread[], s: Scenario, loadStart: number): Promise<void> {
  switch (s.kind) {
    case 'C': {
      // Every thread at once, each sending its next message as soon as the previous one was answered.
      const deadline = loadStart + s.settleMs + s.durationMs;
      return driver.drive(threads, s.lanes, async (t) => {
        for (let n = 2; performance.now() < deadline; n++) await driver.turn(t, 'measured', n);
      });
    }
    case 'D':
      // Two messages gapMs apart in one thread: the second waits for the first's turn to end.
      return driver.drive(threads, s.lanes, async (t) => {
        await Promise.all([driver.turn(t, 'measured', 2), sleep(s.gapMs).then(() => driver.turn(t, 'measured', 3))]);
      });
    default:
      return driver.drive(
        threads,
        s.lanes,
        async (t) => {
          for (let n = 2; n <= s.messages; n++) await driver.turn(t, 'measured', n);
        },
        s.staggerMs,
      );
  }
}

async function runScenario(s: Scenario): Promise<ScenarioResult> {
  console.log(
    `\n[${s.id}] model latency ${s.modelLatencyMs} ms, ${s.threads} threads × ${s.messages} messages, ` +
      `${s.lanes} thread(s) at once, WORKER_CONCURRENCY=${s.workerConcurrency}`,
  );
  const problems: string[] = [];
  const fakes = await startFakes(s.modelLatencyMs, s.hubspotPer10s);
  const redis = await startRedis();
  redisVersion = redis.version;
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const tag = s.id.replace(/[^A-Za-z0-9]+/g, '-');
  const logs = {
    api: path.join(os.tmpdir(), `e2e-bench-${tag}-api.log`),
    worker: path.join(os.tmpdir(), `e2e-bench-${tag}-worker.log`),
  };
  const base = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    REDIS_URL: redis.url,
    LOG_LEVEL: 'warn',
  };
  const api = start(process.execPath, [...apiNodeArgs, API_ENTRY], { ...base, ...apiEnv(apiPort) }, logs.api);
  const worker = start(
    process.execPath,
    [...workerNodeArgs, WORKER_ENTRY],
    {
      ...base,
      WORKER_HTTP_PORT: String(workerPort),
      WORKER_CONCURRENCY: String(s.workerConcurrency),
      ...workerEnvFor(fakes),
      ASSISTANT_ENGINE: s.engine,
      // Our own overhead, not a rate budget: every shared budget and per-visitor limit off (0); C keeps HubSpot's.
      HUBSPOT_REQUESTS_PER_10S: String(s.hubspotPer10s),
      HUBSPOT_SEARCH_PER_SECOND: '0',
      AIRTABLE_REQUESTS_PER_SECOND: '0',
      OPENAI_MAX_CONCURRENT: '0',
      VISITOR_MAX_TURNS_PER_HOUR: '0',
      VISITOR_MAX_THREADS_PER_DAY: '0',
      ...(s.turnMax === undefined ? {} : { TURN_MAX_MESSAGES: String(s.turnMax) }),
    },
    logs.worker,
  );
  const rssSamples: { at: number; mib: number }[] = [];
  const sampler = setInterval(() => {
    const mib = rssMiB(worker.child.pid);
    if (mib !== undefined) rssSamples.push({ at: performance.now(), mib });
  }, 200);
  const events = new QueueEvents(QUEUE, { connection: { url: redis.url } });
  events.on('error', (err) => console.error(`  queue events: ${err.message}`));
  const driver = new Driver(fakes, apiPort, events);
  try {
    await Promise.all([
      waitReady(apiPort, 'api', api),
      waitReady(workerPort, 'worker', worker),
      events.waitUntilReady(),
    ]);
    const rssReady = rssMiB(worker.child.pid) ?? NaN;
    const threads = Array.from({ length: s.threads }, () => fakes.hubspot.addThread());
    const portal = String(fakes.hubspot.portalId);
    for (const t of threads) fakes.threadByCacheKey.set(promptCacheKey(portal, t.id), t.id);

    // Phase 1: the first message of every thread (new threads).
    const warmStart = performance.now();
    await driver.drive(threads, s.lanes, (t) => driver.turn(t, 'warmup', 1));
    await driver.echoesAnswered();
    const warmEnd = performance.now();
    const warmCounts = PROVIDERS.map((p) => fakes[p].requests.length);
    const warmDelayed = driver.delayedEvents;
    console.log(`  warm-up: ${s.threads} turns in ${((warmEnd - warmStart) / 1000).toFixed(1)} s`);
    await sleep(300);
    const rssAfterWarmup = rssSamples[rssSamples.length - 1]?.mib ?? NaN;

    // Phase 2: the other messages (known threads), measured.
    const eld = monitorEventLoopDelay({ resolution: 5 });
    const snap = () => cpuSnapshot({ api: api.child.pid, worker: worker.child.pid, redis: redis.proc.child.pid });
    const stats = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    await stats.config('RESETSTAT');
    const monitor = args['redis-monitor']
      ? await startMonitor(redis.url, `${args['redis-monitor']}.${tag}`)
      : undefined;
    const startCounts = PROVIDERS.map((p) => fakes[p].requests.length);
    const before = snap();
    eld.enable();
    await measuredLoad(driver, threads, s, before.at);
    await driver.echoesAnswered();
    eld.disable();
    const after = snap();
    const endCounts = PROVIDERS.map((p) => fakes[p].requests.length);
    const commandStats = await stats.info('commandstats');
    stats.disconnect();
    monitor?.disconnect();
    await sleep(300);
    const rssEnd = rssSamples[rssSamples.length - 1]?.mib ?? NaN;

    // Correctness: exactly one reply per message, in order, answering that message.
    const turns = driver.turns;
    const bad = turns.filter((t) => t.outcome !== 'completed');
    if (bad.length > 0) {
      problems.push(
        `${bad.length} turn(s) not completed (first: thread ${bad[0].threadId}: ${bad[0].outcome} ${bad[0].detail ?? ''})`,
      );
    }
    // Each message answered exactly once, in order: the thread's replies, line by line (a reply echoes every
    // line it answers), are its messages; a reply answers several only where bursts are on.
    const turnMax = s.turnMax ?? DEFAULT_TURN_MAX;
    let wrongReplies = 0;
    let oversized = 0;
    let combinedReplies = 0;
    for (const t of threads) {
      const replies = fakes.hubspot.sentMessages(t.id).map((m) => echoedLines(m.message.text ?? ''));
      const lines = replies.flat();
      const expected = turns.filter((x) => x.threadId === t.id).map((x) => x.text);
      if (
        replies.some((r) => r.length === 0) ||
        lines.length !== expected.length ||
        lines.some((l, i) => l !== expected[i])
      )
        wrongReplies++;
      oversized += replies.filter((r) => r.length > turnMax).length;
      combinedReplies += replies.filter((r) => r.length > 1).length;
    }
    if (wrongReplies > 0)
      problems.push(`${wrongReplies} thread(s) whose messages were not each answered exactly once, in order`);
    if (oversized > 0)
      problems.push(`${oversized} reply(ies) answering more than TURN_MAX_MESSAGES=${turnMax} messages`);
    if (fakes.openai.lockViolations > 0)
      problems.push(`${fakes.openai.lockViolations} OpenAI conversation lock violations`);
    if (fakes.hubspot.rateLimitViolations > 0) problems.push(`${fakes.hubspot.rateLimitViolations} HubSpot 429s`);
    if (driver.failedEvents > 0) problems.push(`${driver.failedEvents} failed job attempts`);
    if (worker.child.exitCode !== null) problems.push(`worker exited during the run (code ${worker.child.exitCode})`);

    // Upstream calls per phase.
    const calls = collectCalls(fakes);
    const phaseOf = (provider: Provider, index: number): Phase | undefined => {
      const i = PROVIDERS.indexOf(provider);
      if (index < warmCounts[i]) return 'warmup';
      if (index >= startCounts[i] && index < endCounts[i]) return 'measured';
      return undefined;
    };
    const byKind: Record<Phase, Map<string, number>> = { warmup: new Map(), measured: new Map() };
    const perTurn = {
      warmup: Object.fromEntries(PROVIDERS.map((p) => [p, 0])) as Record<Provider, number>,
      measured: Object.fromEntries(PROVIDERS.map((p) => [p, 0])) as Record<Provider, number>,
    };
    const seen = new Map<Provider, number>();
    for (const c of calls) {
      const index = seen.get(c.provider) ?? 0;
      seen.set(c.provider, index + 1);
      const phase = phaseOf(c.provider, index);
      if (!phase) continue;
      const key = `${c.provider}\t${c.kind}`;
      byKind[phase].set(key, (byKind[phase].get(key) ?? 0) + 1);
      perTurn[phase][c.provider] += 1;
    }
    const measuredTurns = turns.filter((t) => t.phase === 'measured').length;
    const warmupTurns = turns.filter((t) => t.phase === 'warmup').length;
    for (const p of PROVIDERS) {
      perTurn.warmup[p] /= warmupTurns;
      perTurn.measured[p] /= measuredTurns;
    }

    const figures = turnFigures(
      turns.filter((t) => t.phase === 'measured'),
      calls,
      problems,
    );
    const cpu = cpuUse(before, after);
    const measuredMs = cpu.wallMs;
    const perTurnMs = (ms: number | undefined) => (ms === undefined ? undefined : ms / measuredTurns);
    // This process's CPU from the start of the measured phase until now (the checks above included).
    const benchCpu = process.cpuUsage(before.self);
    const benchMs = (benchCpu.user + benchCpu.system) / 1000;
    const ours = [cpu.ms.api, cpu.ms.worker, cpu.ms.redis].reduce<number>((sum, v) => sum + (v ?? 0), benchMs);
    // Steady part of the measured phase: every thread has started and none has finished yet.
    const measured = turns.filter((t) => t.phase === 'measured');
    const firstSent = new Map<string, number>();
    const lastDone = new Map<string, number>();
    for (const t of measured) {
      if (!firstSent.has(t.threadId)) firstSent.set(t.threadId, t.sentAt);
      lastDone.set(t.threadId, t.doneAt);
    }
    let steadyFrom = Math.max(...firstSent.values());
    let steadyTo = Math.min(...lastDone.values());
    if (!(steadyTo > steadyFrom)) [steadyFrom, steadyTo] = [before.at, after.at];
    const inFlight = fakes.inFlight.window(steadyFrom, steadyTo, TARGET_IN_FLIGHT);
    const redisPerTurn = commandsPer(commandStats, measuredTurns);
    if (driver.echoes.measured.other > 0)
      problems.push(`${driver.echoes.measured.other} echo webhook(s) refused or failed`);
    const result: ScenarioResult = {
      s,
      measuredTurns,
      warmupTurns,
      measuredMs,
      turnsPerSec: (measuredTurns * 1000) / measuredMs,
      figures,
      calls: byKind,
      connectionsPerTurn: {
        warmup: perProvider((p) => between(fakes.connections[p], warmStart, warmEnd) / warmupTurns),
        measured: perProvider((p) => between(fakes.connections[p], before.at, after.at) / measuredTurns),
      },
      perTurn,
      inFlight: {
        peakAll: fakes.inFlight.peak,
        peak: fakes.inFlight.window(before.at, after.at, TARGET_IN_FLIGHT).peak,
        mean: inFlight.mean,
        shareAtOrAbove: inFlight.shareAtOrAbove,
        steadyMs: steadyTo - steadyFrom,
      },
      rss: {
        ready: rssReady,
        afterWarmup: rssAfterWarmup,
        peak: Math.max(...rssSamples.map((r) => r.mib)),
        end: rssEnd,
      },
      redisPerTurn,
      echoes: driver.echoes.measured,
      budget:
        s.kind === 'C'
          ? budgetFigures(s, calls, before.at, perTurn.measured.hubspot, fakes.hubspot.rateLimitViolations)
          : undefined,
      pairs: s.kind === 'D' ? pairFigures(fakes, measured) : undefined,
      cpuMsPerTurn: {
        api: perTurnMs(cpu.ms.api),
        worker: perTurnMs(cpu.ms.worker),
        redis: perTurnMs(cpu.ms.redis),
        bench: benchMs / measuredTurns,
      },
      otherCpus: otherCpus(cpu.busyMs, ours, measuredMs),
      benchLoopDelay: { p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 },
      combinedReplies,
      delayedEvents: driver.delayedEvents - warmDelayed,
      failedEvents: driver.failedEvents,
      lockViolations: fakes.openai.lockViolations,
      problems,
      logs,
    };
    printScenario(result);
    return result;
  } finally {
    clearInterval(sampler);
    driver.close();
    await events.close().catch(() => undefined);
    await Promise.all([stop(worker.child, 15_000), stop(api.child, 15_000)]);
    await stop(redis.proc.child, 15_000);
    rmSync(redis.dir, { recursive: true, force: true });
    await stopFakes(fakes);
  }
}

// ------------------------------------------------------------------------------------------------ output

const ms = (v: number | undefined, digits = 1) => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

function stats(r: ScenarioResult, pick: (f: TurnFigures) => number): { p50: number; p99: number; max: number } {
  const sorted = r.figures.map(pick).sort((a, b) => a - b);
  return { p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

function printScenario(r: ScenarioResult): void {
  const e2e = stats(r, (f) => f.e2e);
  const added = stats(r, (f) => f.added);
  const fake = stats(r, (f) => f.inFakes);
  console.log(
    `  measured: ${r.measuredTurns} turns in ${(r.measuredMs / 1000).toFixed(1)} s = ${r.turnsPerSec.toFixed(1)} turns/s; ` +
      `e2e p50 ${ms(e2e.p50)} / p99 ${ms(e2e.p99)} ms; in fakes p50 ${ms(fake.p50)} ms; ` +
      `added p50 ${ms(added.p50)} / p99 ${ms(added.p99)} / max ${ms(added.max)} ms`,
  );
  console.log(
    `  model calls in flight: peak ${r.inFlight.peakAll} (measured phase: peak ${r.inFlight.peak}; steady ${(r.inFlight.steadyMs / 1000).toFixed(1)} s: ` +
      `mean ${r.inFlight.mean.toFixed(0)}, ≥${TARGET_IN_FLIGHT} for ${(r.inFlight.shareAtOrAbove * 100).toFixed(0)} % of the time); ` +
      `worker RSS ready ${ms(r.rss.ready, 0)} / after warm-up ${ms(r.rss.afterWarmup, 0)} / peak ${ms(r.rss.peak, 0)} / end ${ms(r.rss.end, 0)} MiB`,
  );
  console.log(
    `  redis commands per measured turn: ${r.redisPerTurn.map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ')}\n` +
      `  per measured turn: ${PROVIDERS.map((p) => `${p} ${r.perTurn.measured[p].toFixed(2)} (${r.connectionsPerTurn.measured[p].toFixed(2)} new conn.)`).join(', ')}; ` +
      `CPU ms/turn api ${ms(r.cpuMsPerTurn.api, 2)}, worker ${ms(r.cpuMsPerTurn.worker, 2)}, redis ${ms(r.cpuMsPerTurn.redis, 2)}, bench ${ms(r.cpuMsPerTurn.bench, 2)}; ` +
      `other load ${ms(r.otherCpus, 2)} CPUs; bench event-loop delay p99 ${ms(r.benchLoopDelay.p99)} ms`,
  );
  console.log(
    `  echoes of the measured replies: ${echoCell(r.echoes)}; Redis commands per turn ${redisTotal(r.redisPerTurn).toFixed(1)}; ` +
      `replies answering several messages ${r.combinedReplies} (TURN_MAX_MESSAGES ${r.s.turnMax ?? `${DEFAULT_TURN_MAX}, the default`})`,
  );
  if (r.budget) {
    const b = r.budget;
    console.log(
      `  budget-bound: ${b.replies} replies, ${b.hubspotCalls} HubSpot requests in ${(b.windowMs / 1000).toFixed(0)} s = ${b.turnsPerSec.toFixed(2)} turns/s ` +
        `of ${b.maxTurnsPerSec.toFixed(2)} (${b.maxWithSlack.toFixed(2)} with the worker's window) = ${(b.turnsPerSec / b.maxTurnsPerSec).toFixed(3)}; 429s ${b.violations}; ` +
        `requests per 10 s slice ${b.perSlice.join(', ')}; longest pause ${(b.longestPauseMs / 1000).toFixed(2)} s`,
    );
  }
  if (r.pairs) {
    const p = r.pairs;
    console.log(
      `  fast pairs: ${p.gaps.length} of ${p.pairs}: first reply → second model call p50 ${ms(pct(p.gaps, 50))} / p99 ${ms(pct(p.gaps, 99))} / ` +
        `max ${ms(p.gaps[p.gaps.length - 1])} ms; answered together ${p.combined}, early ${p.early}, unmatched ${p.unmatched}`,
    );
  }
  for (const p of r.problems) console.error(`  !!! ${p}`);
}

function mainTable(results: ScenarioResult[]): string[] {
  const rows = [
    '| scenario | model latency | threads × messages | threads at once | WORKER_CONCURRENCY | measured turns | turns/s | e2e p50 / p99 (ms) | in fakes p50 (ms) | **added p50** (ms) | **added p99** (ms) | added max (ms) | model calls in flight: peak / steady mean | worker RSS ready / after warm-up / peak / end (MiB) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const e2e = stats(r, (f) => f.e2e);
    const added = stats(r, (f) => f.added);
    const fake = stats(r, (f) => f.inFakes);
    rows.push(
      `| ${r.s.id} | ${r.s.modelLatencyMs} ms | ${r.s.kind === 'C' ? `${r.s.threads} × ${(r.s.durationMs + r.s.settleMs) / 1000} s` : `${r.s.threads} × ${r.s.messages}`} | ${r.s.lanes} | ${r.s.workerConcurrency} | ${r.measuredTurns} | ${r.turnsPerSec.toFixed(1)} | ` +
        `${ms(e2e.p50)} / ${ms(e2e.p99)} | ${ms(fake.p50)} | **${ms(added.p50)}** | **${ms(added.p99)}** | ${ms(added.max)} | ` +
        `${r.inFlight.peak} / ${r.inFlight.mean.toFixed(0)} | ${ms(r.rss.ready, 0)} / ${ms(r.rss.afterWarmup, 0)} / ${ms(r.rss.peak, 0)} / ${ms(r.rss.end, 0)} |`,
    );
  }
  return rows;
}

function breakdownTable(results: ScenarioResult[]): string[] {
  const rows = [
    '| scenario | webhook answered (ms, p50) | sent → first upstream call (ms, p50 / p99) | our time between upstream calls (ms, p50 / p99) | CPU ms per turn: api / worker / redis / bench (fakes + driver) | other load (CPUs) | bench event-loop delay p99 (ms) | busy/retry delays |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const ack = stats(r, (f) => f.ack);
    const first = stats(r, (f) => f.beforeFirstCall);
    const between = stats(r, (f) => f.betweenCalls);
    const c = r.cpuMsPerTurn;
    rows.push(
      `| ${r.s.id} | ${ms(ack.p50)} | ${ms(first.p50)} / ${ms(first.p99)} | ${ms(between.p50)} / ${ms(between.p99)} | ` +
        `${ms(c.api, 2)} / ${ms(c.worker, 2)} / ${ms(c.redis, 2)} / ${ms(c.bench, 2)} | ${ms(r.otherCpus, 2)} | ${ms(r.benchLoopDelay.p99)} | ${r.delayedEvents} |`,
    );
  }
  return rows;
}

function redisTable(results: ScenarioResult[]): string[] {
  const names = new Set<string>();
  for (const r of results) for (const [n] of r.redisPerTurn) names.add(n);
  const total = (r: ScenarioResult) => r.redisPerTurn.reduce((sum, [, v]) => sum + v, 0);
  const ordered = [...names].sort(
    (a, b) =>
      (results[0].redisPerTurn.find(([n]) => n === b)?.[1] ?? 0) -
        (results[0].redisPerTurn.find(([n]) => n === a)?.[1] ?? 0) || a.localeCompare(b),
  );
  const rows = [
    `| command | ${results.map((r) => r.s.id).join(' | ')} |`,
    `| --- |${results.map(() => ' ---: |').join('')}`,
  ];
  for (const n of ordered) {
    rows.push(
      `| ${n} | ${results.map((r) => (r.redisPerTurn.find(([x]) => x === n)?.[1] ?? 0).toFixed(2)).join(' | ')} |`,
    );
  }
  rows.push(`| **total** | ${results.map((r) => `**${total(r).toFixed(1)}**`).join(' | ')} |`);
  return rows;
}

function callsTable(results: ScenarioResult[]): string[] {
  const keys = new Set<string>();
  for (const r of results)
    for (const phase of ['warmup', 'measured'] as const) for (const k of r.calls[phase].keys()) keys.add(k);
  const always = ['airtable\tselect', 'airtable\tupsert', 'listafirme\t(any)', 'anaf\t(any)'];
  for (const k of always) if (![...keys].some((x) => x.split('\t')[0] === k.split('\t')[0])) keys.add(k);
  const ordered = [...keys].sort((a, b) => {
    const pa = PROVIDERS.indexOf(a.split('\t')[0] as Provider);
    const pb = PROVIDERS.indexOf(b.split('\t')[0] as Provider);
    return pa - pb || a.localeCompare(b);
  });
  const header = results.map((r) => `${r.s.id} new thread | ${r.s.id} known thread`).join(' | ');
  const rows = [`| provider | call | ${header} |`, `| --- | --- |${results.map(() => ' ---: | ---: |').join('')}`];
  const cell = (r: ScenarioResult, phase: Phase, key: string) => {
    const turns = phase === 'warmup' ? r.warmupTurns : r.measuredTurns;
    return ((r.calls[phase].get(key) ?? 0) / turns).toFixed(2);
  };
  for (const key of ordered) {
    const [provider, kind] = key.split('\t');
    rows.push(
      `| ${provider} | ${kind} | ${results.map((r) => `${cell(r, 'warmup', key)} | ${cell(r, 'measured', key)}`).join(' | ')} |`,
    );
  }
  for (const provider of PROVIDERS) {
    rows.push(
      `| ${provider} | new TCP connections | ${results.map((r) => `${r.connectionsPerTurn.warmup[provider].toFixed(2)} | ${r.connectionsPerTurn.measured[provider].toFixed(2)}`).join(' | ')} |`,
    );
  }
  for (const provider of PROVIDERS) {
    rows.push(
      `| **${provider}** | **total** | ${results.map((r) => `**${r.perTurn.warmup[provider].toFixed(2)}** | **${r.perTurn.measured[provider].toFixed(2)}**`).join(' | ')} |`,
    );
  }
  return rows;
}

// ------------------------------------------------------------------------------------------------ new tables

const redisTotal = (perUnit: [string, number][]) => perUnit.reduce((sum, [, v]) => sum + v, 0);

/**
 * Bare BullMQ jobs driven like scenario `r` (its measured turns' count, its lanes, its WORKER_CONCURRENCY),
 * on a fresh redis-server configured like the scenario's; one run per such shape (both engines share it).
 */
async function bareBaseline(r: ScenarioResult, cache: Map<string, BareBullmqResult>): Promise<BareBullmqResult> {
  const key = `${r.measuredTurns}/${r.s.lanes}/${r.s.workerConcurrency}`;
  const known = cache.get(key);
  if (known) return known;
  const redis = await startRedis();
  try {
    const result = await measureBareBullmq(redis.url, {
      jobs: r.measuredTurns,
      warmup: r.warmupTurns,
      lanes: r.s.lanes,
      concurrency: r.s.workerConcurrency,
    });
    console.log(
      `  bare BullMQ job (${result.jobs} jobs, ${result.lanes} at once): ${result.total.toFixed(1)} Redis commands per job ` +
        `(${result.perJob.map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ')}); ${result.jobsPerSec.toFixed(0)} jobs/s`,
    );
    cache.set(key, result);
    return result;
  } finally {
    await stop(redis.proc.child, 15_000);
    rmSync(redis.dir, { recursive: true, force: true });
  }
}

function echoCell(e: EchoCounts): string {
  return `${e.own} own / ${e.jobs} job${e.duplicates ? ` / ${e.duplicates} dup.` : ''}${e.other ? ` / ${e.other} failed` : ''}`;
}

function bareTable(results: ScenarioResult[]): string[] {
  const rows = [
    '| scenario | threads at once | measured turns | echoes answered: own / became a job | **Redis commands per turn** (echo included) | bare BullMQ jobs (same lanes, concurrency) | **commands per bare job** | **ratio** (target ≤ 1.5) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results.filter((x) => x.bare)) {
    const b = r.bare!;
    const turn = redisTotal(r.redisPerTurn);
    rows.push(
      `| ${r.s.id} | ${r.s.lanes} | ${r.measuredTurns} | ${echoCell(r.echoes)} | **${turn.toFixed(1)}** | ${b.jobs} × ${b.lanes} at once, concurrency ${b.concurrency} | ` +
        `**${b.total.toFixed(1)}** | **${(turn / b.total).toFixed(2)}** |`,
    );
  }
  const first = results.find((x) => x.bare)?.bare;
  if (first) {
    rows.push(
      '',
      `A bare job's commands (${first.lanes} at once): ${first.perJob.map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ')}.`,
    );
  }
  return rows;
}

function budgetTable(results: ScenarioResult[]): string[] {
  const rows = [
    "| scenario | threads at once | counted window (s) | replies in it | HubSpot requests in it (per s) | HubSpot calls per turn | **turns/s** | theoretical max: 100 / 10 s (worker's 11 s window) | **share of max** (target ≥ 0.95) | share of the 11 s max | 429s at the fake | busy/retry delays | HubSpot requests per 10 s slice | longest pause without a request (s) |",
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results.filter((x) => x.budget)) {
    const b = r.budget!;
    rows.push(
      `| ${r.s.id} | ${r.s.lanes} | ${(b.windowMs / 1000).toFixed(0)} | ${b.replies} | ${b.hubspotCalls} (${(b.hubspotCalls / (b.windowMs / 1000)).toFixed(2)}) | ` +
        `${b.hubspotCallsPerTurn.toFixed(2)} | **${b.turnsPerSec.toFixed(2)}** | ${b.maxTurnsPerSec.toFixed(2)} (${b.maxWithSlack.toFixed(2)}) | ` +
        `**${(b.turnsPerSec / b.maxTurnsPerSec).toFixed(3)}** | ${(b.turnsPerSec / b.maxWithSlack).toFixed(3)} | ${b.violations} | ${r.delayedEvents} | ` +
        `${b.perSlice.join(', ')} | ${(b.longestPauseMs / 1000).toFixed(2)} |`,
    );
  }
  return rows;
}

function pairsTable(results: ScenarioResult[]): string[] {
  const rows = [
    '| scenario | model latency | gap between the two webhooks | TURN_MAX_MESSAGES | pairs (threads at once) | first reply posted → second model call (ms): **p50** / **p99** / max | of which first reply → second `GET message` (ms): p50 / p99 | answered together (one reply) | other: reached the model before the first reply | unmatched | busy/retry delays |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results.filter((x) => x.pairs)) {
    const p = r.pairs!;
    rows.push(
      `| ${r.s.id} | ${r.s.modelLatencyMs} ms | ${r.s.gapMs} ms | ${r.s.turnMax ?? DEFAULT_TURN_MAX} | ${p.pairs} (${r.s.lanes}) | **${ms(pct(p.gaps, 50))}** / **${ms(pct(p.gaps, 99))}** / ${ms(p.gaps[p.gaps.length - 1])} | ` +
        `${ms(pct(p.handoffs, 50))} / ${ms(pct(p.handoffs, 99))} | ${p.combined} | ${p.early} | ${p.unmatched} | ${r.delayedEvents} |`,
    );
  }
  return rows;
}

/**
 * Why added latency is over target: how busy the machine was with our processes (CPU ms per turn × turns/s)
 * and where the time went (the breakdown table's columns).
 */
function addedLimits(r: ScenarioResult): string {
  const c = r.cpuMsPerTurn;
  const perTurn = (c.api ?? 0) + (c.worker ?? 0) + (c.redis ?? 0) + c.bench;
  const cpus = (perTurn * r.turnsPerSec) / 1000;
  const first = stats(r, (f) => f.beforeFirstCall);
  const between = stats(r, (f) => f.betweenCalls);
  const saturated = cpus >= 0.8 * os.cpus().length;
  return (
    `${saturated ? 'limited by CPU' : 'the machine was not saturated'}: at ${r.turnsPerSec.toFixed(0)} turns/s api, worker, redis and the bench used ${cpus.toFixed(2)} of its ${os.cpus().length} CPUs ` +
    `(${perTurn.toFixed(1)} CPU ms per turn)${saturated ? ', so turns queue for CPU' : ''}; ` +
    `sent → first upstream call p50 ${ms(first.p50)} / p99 ${ms(first.p99)} ms, our time between upstream calls p50 ${ms(between.p50)} / p99 ${ms(between.p99)} ms`
  );
}

/** The commands a turn runs more often than a bare job, most first: `name +n`, the top five. */
function excessCommands(turn: [string, number][], job: [string, number][]): string {
  const jobOf = new Map(job);
  return turn
    .map(([name, v]): [string, number] => [name, v - (jobOf.get(name) ?? 0)])
    .filter(([, extra]) => extra > 0.05)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, extra]) => `${name} +${extra.toFixed(1)}`)
    .join(', ');
}

/** The worker-redesign targets measured by the echo, bare-job, budget-bound and fast-pair additions. */
function newTargets(results: ScenarioResult[], verdict: (met: boolean) => string): string[] {
  const out: string[] = [];
  for (const r of results.filter((x) => x.bare)) {
    const turn = redisTotal(r.redisPerTurn);
    const ratio = turn / r.bare!.total;
    out.push(
      `- ${r.s.id}: Redis commands per known-thread turn (api + worker, echo included) ≤ ${TARGET_REDIS_RATIO} × a bare BullMQ job's: ` +
        `${verdict(ratio <= TARGET_REDIS_RATIO)} (${turn.toFixed(1)} vs ${r.bare!.total.toFixed(1)} = ${ratio.toFixed(2)} ×` +
        `${ratio <= TARGET_REDIS_RATIO ? ')' : `; limited by what a turn adds to the job's own commands, most: ${excessCommands(r.redisPerTurn, r.bare!.perJob)})`}`,
    );
  }
  for (const r of results.filter((x) => x.budget)) {
    const b = r.budget!;
    const share = b.turnsPerSec / b.maxTurnsPerSec;
    out.push(
      `- ${r.s.id}: budget-bound turns/s ≥ ${TARGET_BUDGET_SHARE} × the theoretical maximum: ${verdict(share >= TARGET_BUDGET_SHARE)} ` +
        `(${b.turnsPerSec.toFixed(2)} of ${b.maxTurnsPerSec.toFixed(2)} turns/s = ${share.toFixed(3)}` +
        `${share >= TARGET_BUDGET_SHARE ? '' : `; limited by the worker's budget window, ${WORKER_WINDOW_SLACK} × the provider's (WINDOW_SLACK in rate-budget.service.ts), which caps it at ${(1 / WORKER_WINDOW_SLACK).toFixed(3)} of the maximum: ${(b.turnsPerSec / b.maxWithSlack).toFixed(3)} of that cap reached; the rest is lost to pauses (HubSpot requests per 10 s slice: ${b.perSlice.join(', ')}; longest pause without a request ${(b.longestPauseMs / 1000).toFixed(1)} s) while the waiting turns sit in the queue as delayed jobs (${r.delayedEvents} busy/retry delays in the phase: a job that would wait more than 2 s for budget goes back to the queue and comes back after its retry time)`}); ` +
        `429s at the fake: ${b.violations} ${verdict(b.violations === 0)}`,
    );
  }
  for (const r of results.filter((x) => x.pairs)) {
    const p = r.pairs!;
    const p99 = pct(p.gaps, 99);
    const enough = p.gaps.length >= 100;
    out.push(
      `- ${r.s.id}: the second of two fast messages starts its model call ≤ ${TARGET_PAIR_P99_MS} ms after the first reply was posted (p99 over ≥ 100 pairs): ` +
        `${verdict(p99 <= TARGET_PAIR_P99_MS && enough && p.unmatched === 0)} (p99 ${ms(p99)} ms over ${p.gaps.length} pairs` +
        `${p.combined ? `; ${p.combined} answered together, not measured` : ''}` +
        `${p.early ? `; ${p.early} reached the model before the first reply` : ''}${p.unmatched ? `; ${p.unmatched} unmatched` : ''}` +
        `${p99 <= TARGET_PAIR_P99_MS ? '' : `; limited by the hand-off: the first turn's reply returns, its progress and own-message mark are saved, its thread lock is released and the second job, which found the thread busy and waits as a delayed job (${(r.delayedEvents / p.pairs).toFixed(1)} busy/retry delays per pair), is promoted, picked up and started — first reply → second \`GET message\` p50 ${ms(pct(p.handoffs, 50))} / p99 ${ms(pct(p.handoffs, 99))} ms — then that turn's own path to its model call`})`,
    );
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  for (const entry of [API_ENTRY, WORKER_ENTRY]) {
    if (!existsSync(entry))
      fail(`${path.relative(ROOT, entry)} not found: run \`npm run build\` first (or \`npm run bench:e2e\`)`);
  }
  const list = scenarios();
  const host = machine(true);
  const command = commandLine(ROOT);
  console.log(`machine: ${host}\ncommand: ${command}`);

  const results: ScenarioResult[] = [];
  const bare = new Map<string, BareBullmqResult>();
  for (const s of list) {
    const r = await runScenario(s);
    if (s.kind === 'A') r.bare = await bareBaseline(r, bare);
    results.push(r);
  }

  const verdict = (met: boolean) => (met ? 'met' : '**NOT met**');
  const targets: string[] = [];
  for (const r of results.filter((x) => x.s.kind === 'A')) {
    const a = stats(r, (f) => f.added);
    targets.push(
      `- added latency at 0 ms fakes, ${r.s.id} (${r.s.lanes} thread(s) at once): p50 ≤ ${TARGET_ADDED_P50_MS} ms ${verdict(a.p50 <= TARGET_ADDED_P50_MS)} (${ms(a.p50)} ms); ` +
        `p99 ≤ ${TARGET_ADDED_P99_MS} ms ${verdict(a.p99 <= TARGET_ADDED_P99_MS)} (${ms(a.p99)} ms)` +
        `${a.p50 <= TARGET_ADDED_P50_MS && a.p99 <= TARGET_ADDED_P99_MS ? '' : `; ${addedLimits(r)}`}`,
    );
  }
  for (const r of results.filter((x) => x.s.kind === 'B')) {
    targets.push(
      `- ${r.s.id}: one worker process keeps ≥ ${TARGET_IN_FLIGHT} turns in flight at ${r.s.modelLatencyMs} ms model latency: ` +
        `${verdict(r.inFlight.peak >= TARGET_IN_FLIGHT && r.inFlight.mean >= TARGET_IN_FLIGHT)} (concurrent model calls at the fake: peak ${r.inFlight.peak} in the measured phase; ` +
        `over its steady ${(r.inFlight.steadyMs / 1000).toFixed(1)} s (every thread started, none finished) a time-weighted mean of ${r.inFlight.mean.toFixed(0)} ` +
        `and ≥ ${TARGET_IN_FLIGHT} during ${(r.inFlight.shareAtOrAbove * 100).toFixed(0)} % of the time; ${r.s.threads} threads driven, starts spread over ${r.s.staggerMs} ms` +
        `${r.inFlight.mean >= TARGET_IN_FLIGHT ? '' : `; limited by the added time per turn: a thread's closed loop is in a model call for model latency ÷ e2e of its cycle, so ${r.s.threads} threads keep about ${r.s.threads} × ${r.s.modelLatencyMs} ÷ ${ms(stats(r, (f) => f.e2e).p50, 0)} (e2e p50) ≈ ${((r.s.threads * r.s.modelLatencyMs) / stats(r, (f) => f.e2e).p50).toFixed(0)} in flight`})`,
    );
  }
  for (const r of results) {
    const hs = r.perTurn.measured.hubspot;
    const at = r.perTurn.measured.airtable;
    targets.push(
      `- ${r.s.id}: HubSpot calls per plain turn = ${TARGET_HUBSPOT_PER_TURN}: ${verdict(Math.abs(hs - TARGET_HUBSPOT_PER_TURN) < 1e-9)} (${hs.toFixed(2)}); ` +
        `Airtable ≈ 0 for known threads: ${verdict(at < 0.01)} (${at.toFixed(2)})`,
    );
  }
  // The chat engine keeps its own transcript in Redis: its commands per turn against the Responses engine's.
  const total = (r: ScenarioResult) => redisTotal(r.redisPerTurn);
  for (const r of results.filter((x) => x.s.engine === 'chat-completions')) {
    const base = results.find((x) => x.s.engine === 'responses' && `${x.s.id} chat` === r.s.id);
    if (!base) continue;
    const ratio = total(r) / total(base);
    targets.push(
      `- ${r.s.id}: Redis commands per turn ≤ 1.2 × ${base.s.id}'s: ${verdict(ratio <= 1.2)} ` +
        `(${total(r).toFixed(1)} vs ${total(base).toFixed(1)} = ${ratio.toFixed(2)})`,
    );
  }
  targets.push(...newTargets(results, verdict));
  const problems = results.flatMap((r) => r.problems.map((p) => `${r.s.id}: ${p}`));
  const noisy = results.filter((r) => (r.otherCpus ?? 0) > NOISY_OTHER_CPUS);

  const lines = [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${host}`,
    `- command: \`${command}\``,
    `- system: \`node dist/apps/api/main.js\` and \`node dist/apps/worker/main.js\` as child processes (NODE_ENV=production, LOG_LEVEL=warn, stdout to a file), ` +
      `a throwaway redis-server ${redisVersion} (AOF on, noeviction) on a free port; Airtable is the mapping store; ` +
      `the provider fakes of test/fakes (HubSpot, OpenAI, Airtable, ListaFirme, ANAF) run inside the bench process on 127.0.0.1`,
    `- **rate limits of the fakes are disabled** (FakeHubSpot \`setRateLimit({perTenSeconds: Infinity, searchPerSecond: Infinity})\`, ` +
      "`FakeAirtable({rateLimit: false})`) **and so are the worker's shared budgets and per-visitor limits** " +
      '(`HUBSPOT_REQUESTS_PER_10S`, `HUBSPOT_SEARCH_PER_SECOND`, `AIRTABLE_REQUESTS_PER_SECOND`, `OPENAI_MAX_CONCURRENT`, ' +
      '`VISITOR_MAX_*` = 0; `0` = no budget) in A, B and D: this measures our own overhead; `npm run bench:burst` measures the budgets. ' +
      'C alone is budget-bound: the fake HubSpot enforces 100 requests per rolling 10 s and the worker runs with `HUBSPOT_REQUESTS_PER_10S=100` (the default), the other budgets as in A',
    "- model: FakeOpenAI with the benches' echo model (echoes every visitor line of its call: `You said: a`, or `You said: a | b` for messages answered together), no tool calls: every turn is a plain turn",
    `- bursts (messages of a thread waiting behind its running turn are answered together): A, B and C run with the worker's default \`TURN_MAX_MESSAGES\` (${DEFAULT_TURN_MAX}); ` +
      "they are closed loops (a thread's next message once the previous one was answered), so no message waits behind a turn and every reply answers one message. " +
      `D runs with \`TURN_MAX_MESSAGES=${results.find((r) => r.pairs)?.s.turnMax ?? 1}\`${(results.find((r) => r.pairs)?.s.turnMax ?? 1) === 1 ? " (every message its own turn): it measures how soon a message waiting behind a turn starts its own turn once that turn's reply is posted, which a pair answered together would not show" : ": a pair whose second message arrived before the first one's turn took the thread is answered together (one model call, one reply) and counted apart, without a gap"}`,
    "- webhook echo: once a turn's job completed, the bench delivers the signed `conversation.newMessage` webhook of each reply the fake HubSpot received " +
      "(HubSpot's own delivery comes later than that; earlier would race the own-message mark the worker writes right after the reply POST returns); " +
      "the api's answer tells whether it was recognised as our own (`ignored`, no job) or became a job; the measured phase ends when every echo was answered, so its Redis commands include them",
    '- engines: every scenario runs on the Responses engine (ids without a suffix) and on the Chat Completions engine (ids ending in "chat": the fake\'s `/v1/chat/completions` in its `openai` mode, the transcript in Redis, no mapping), alternating',
    '- phases: per scenario fresh fakes, Redis, api and worker; warm-up = the first message of every thread (new thread: conversation created, mapping written; chat: transcript started); ' +
      "measured = the other messages (known threads). A thread's next message is sent when its previous job completed (one turn at a time per thread by design); " +
      '"threads at once" is how many threads are driven concurrently; in B their first measured messages are spread over one model latency so the closed loops do not run in lockstep. ' +
      'Scenarios: A = our overhead at 0 ms fakes; B = turns in flight at 1 s model latency; C = budget-bound (every thread at once for a fixed time, see its table); ' +
      'D = fast pairs (the measured messages of a thread are two webhooks a few ms apart instead of one after the other, see its table). ' +
      'C and D run on both engines like A and B; their added latency includes the budget waits (C) and the wait behind the first turn of the pair (D)',
    '- method: e2e = webhook POST sent → the fake HubSpot receives the reply POST; every fake request is timed from its request event to its response finish ' +
      "(handler, latency sleeps, serialisation) and attributed to its thread; in fakes = the union of those intervals inside the turn's e2e window " +
      '(the whole model latency included); **added = e2e − in fakes** (api, Redis, queue, worker, HTTP clients and sockets). ' +
      'Model calls in flight = concurrent POST /v1/responses or /v1/chat/completions at the fake. Worker RSS = /proc/<pid>/status VmRSS every 200 ms. One clock (performance.now of the bench process)',
    '',
    ...mainTable(results),
    '',
    'Where the added time goes (measured turns; "before first call" = webhook + api + Redis + queue pickup + the worker\'s Redis reads before `GET message`):',
    '',
    ...breakdownTable(results),
    '',
    'Upstream calls per turn (requests recorded by the fakes in the phase ÷ turns of the phase):',
    '',
    ...callsTable(results),
    '',
    "Redis commands per measured turn (api + worker, from `INFO commandstats`, which also counts the commands run inside Lua scripts: `evalsha`/`eval` are the script calls; the bench's own XREAD for QueueEvents excluded):",
    '',
    ...redisTable(results),
    '',
    'Redis commands per known-thread turn against a bare BullMQ job, same run (after each A scenario, on a fresh redis-server with the same configuration: ' +
      "`Queue.add` with the api's default job options — attempts 5, upstream-aware backoff 5 s, removeOnComplete 48 h / 100 000, removeOnFail 30 d — " +
      "processed by a `Worker` with the worker app's options — lockDuration 120 s, stalledInterval 30 s, maxStalledCount 2, concurrency as the scenario — and a processor that does nothing; " +
      "as many jobs as the scenario's measured turns, in as many closed-loop lanes as its threads at once, after as many unmeasured ones as its warm-up; counted like the turns, " +
      'every `INFO commandstats` entry, so a script is its EVALSHA plus the commands it ran):',
    '',
    ...bareTable(results),
    '',
    ...(results.some((r) => r.budget)
      ? [
          `Budget-bound (C: ${results.find((r) => r.budget)!.s.threads} known threads driven at once, each sending its next message when the previous one was answered, 0 ms model latency; ` +
            'the fake HubSpot allows 100 requests per rolling 10 s, the worker has `HUBSPOT_REQUESTS_PER_10S=100`; counted: replies and HubSpot requests whose request event falls in the window ' +
            `that starts ${(results.find((r) => r.budget)!.s.settleMs / 1000).toFixed(0)} s into the measured load (budget saturated, warm-up calls out of the window); ` +
            "theoretical max = 10 requests/s ÷ HubSpot calls per turn; the worker's budget counts a 10 % longer window (WINDOW_SLACK), hence the second maximum):",
          '',
          ...budgetTable(results),
          '',
        ]
      : []),
    ...(results.some((r) => r.pairs)
      ? [
          "Fast pairs (D: in each known thread two messages sent that far apart, pairs driven in lanes; per pair, the fake HubSpot's request event of the first message's reply " +
            "→ the fake OpenAI's request event of the first model call holding the second message's text):",
          '',
          ...pairsTable(results),
          '',
        ]
      : []),
    '### Targets',
    '',
    ...targets,
    '',
    problems.length === 0
      ? `- correctness: every message answered exactly once, in order (${results.reduce((n, r) => n + r.combinedReplies, 0)} replies answered several messages together); 0 OpenAI conversation lock violations; no failed job attempts; ` +
        `${results.reduce((n, r) => n + r.delayedEvents, 0)} busy/retry delays in measured phases`
      : `- correctness: **FAILED** — ${problems.join('; ')}`,
    noisy.length === 0
      ? `- noise: other processes used at most ${Math.max(...results.map((r) => r.otherCpus ?? 0)).toFixed(2)} CPUs during the measured phases`
      : `- noise: **${noisy.map((r) => `${r.s.id} (${ms(r.otherCpus, 2)} CPUs)`).join(', ')} shared the machine with other work**: ` +
        'latency figures of those runs are inflated; run again on a quieter machine',
  ];

  console.log(`\n${lines.join('\n')}`);
  if (problems.length > 0) {
    console.error('\n!!!!!!!!!! E2E BENCHMARK RUN HAD ERRORS — figures are not valid !!!!!!!!!!');
    for (const p of problems) console.error(`!!! ${p}`);
  }
  publish(SECTION, lines, args['no-write']);
  // Everything was stopped; exit explicitly so a stray keep-alive handle cannot hold the process.
  process.exit(problems.length > 0 ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
