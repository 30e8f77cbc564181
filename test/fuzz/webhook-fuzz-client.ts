/**
 * Sends the cases of webhook-fuzz-cases.ts over raw TCP (one connection each, so framing and header
 * tricks reach the server byte for byte), judges every answer, tallies by category, and attributes the
 * jobs found in Redis to the cases that created them.
 *
 * Shared by bench/webhook-fuzz.ts (Node type stripping) and test/api/webhook-fuzz.e2e-spec.ts (ts-jest):
 * erasable TypeScript only; the case module is passed in (no relative runtime import, which the two
 * loaders would resolve differently).
 */
import { connect } from 'node:net';
import type { FuzzCase, FuzzCategory, FuzzOptions, IngestCounts } from './webhook-fuzz-cases.ts';

export interface CaseModule {
  buildCase(opts: FuzzOptions, index: number, now: number): FuzzCase;
  portalOwner(jobId: string): { index: number; signed: boolean } | undefined;
}

// ------------------------------------------------------------------------------------------------ sending

export interface Answer {
  /** Final statuses, in order (interim 1xx skipped). */
  statuses: number[];
  /** Bodies of the complete responses. */
  bodies: string[];
  /** 'timeout' or a socket error code, when the exchange did not end normally. */
  error?: string;
  ms: number;
}

/** Final responses in `buf` so far: every status whose head is complete, the bodies that are complete. */
function parseResponses(buf: Buffer, ended: boolean): { statuses: number[]; bodies: string[] } {
  const statuses: number[] = [];
  const bodies: string[] = [];
  let pos = 0;
  for (;;) {
    const headEnd = buf.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) break;
    const head = buf.subarray(pos, headEnd).toString('latin1');
    const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1] ?? 0);
    let at = headEnd + 4;
    if (status >= 100 && status < 200) {
      pos = at;
      continue;
    }
    statuses.push(status);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (length) {
      const end = at + Number(length[1]);
      if (buf.length < end) break;
      bodies.push(buf.subarray(at, end).toString('utf8'));
      pos = end;
      continue;
    }
    if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let done = false;
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', at);
        if (lineEnd < 0) break;
        const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
        if (!Number.isFinite(size) || buf.length < lineEnd + 2 + size + 2) break;
        if (size === 0) {
          const trailerEnd = buf.indexOf('\r\n\r\n', lineEnd);
          at = trailerEnd < 0 ? buf.length : trailerEnd + 4;
          done = true;
          break;
        }
        parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      if (!done) break;
      bodies.push(Buffer.concat(parts).toString('utf8'));
      pos = at;
      continue;
    }
    if (ended) bodies.push(buf.subarray(at).toString('utf8'));
    break;
  }
  return { statuses, bodies };
}

/** Writes `c.bytes` on a new connection to 127.0.0.1:port and reads `c.responses` answers. */
export function sendCase(port: number, c: FuzzCase, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (ended: boolean, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const { statuses, bodies } = parseResponses(Buffer.concat(chunks), ended);
      resolve({ statuses, bodies, error, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish(true, 'timeout'), timeoutMs);
    socket.on('connect', () => {
      socket.write(c.bytes, (err) => {
        // The server may answer (413, 431, 400) and close before it has read everything: not an error.
        if (!err && c.halfClose) socket.end();
      });
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const { bodies } = parseResponses(Buffer.concat(chunks), false);
      if (bodies.length >= c.responses) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the answer (the server closing on unread bytes) still leaves the answer readable.
      finish(true, chunks.length > 0 ? undefined : (err.code ?? err.message));
    });
  });
}

// ------------------------------------------------------------------------------------------------ judging

const sumOf = (c: IngestCounts) => c.accepted + c.duplicates + c.ignored + c.invalid;

function countsOf(body: string | undefined): IngestCounts | undefined {
  try {
    const v = JSON.parse(body ?? '') as Record<string, unknown>;
    const keys = ['accepted', 'duplicates', 'ignored', 'invalid'] as const;
    if (keys.every((k) => Number.isInteger(v[k]))) return v as unknown as IngestCounts;
  } catch {
    // reported below
  }
  return undefined;
}

/** What is wrong with this answer to this case; empty when it is correct. `redisDown` also allows 503. */
export function judge(c: FuzzCase, a: Answer, redisDown: boolean): string[] {
  const problems: string[] = [];
  if (a.statuses.length === 0) {
    if (!c.noAnswerOk) problems.push(`no answer${a.error ? ` (${a.error})` : ''}`);
    return problems;
  }
  if (a.error === 'timeout' && a.statuses.length < c.responses) problems.push('timed out after a partial answer');
  a.statuses.forEach((status, i) => {
    if (status >= 500 && !(status === 503 && redisDown)) problems.push(`${status} (5xx)`);
    const ok =
      c.acceptable.includes(status) || (c.any4xx && status >= 400 && status < 500) || (status === 503 && redisDown);
    if (!ok && status < 500) problems.push(`${status}, expected ${c.acceptable.join('/')}${c.any4xx ? '/4xx' : ''}`);
    if (status !== 200 || c.events === undefined) return;
    const counts = countsOf(a.bodies[i]);
    if (!counts) {
      problems.push(`200 without counts: ${String(a.bodies[i]).slice(0, 120)}`);
      return;
    }
    if (sumOf(counts) !== c.events)
      problems.push(`counts ${JSON.stringify(counts)} do not add up to ${c.events} events`);
    if (!c.expect) return;
    // The second answer of a replayed request finds every job of the first.
    const want = i === 0 ? c.expect : { ...c.expect, accepted: 0, duplicates: c.expect.accepted + c.expect.duplicates };
    if (JSON.stringify(counts) !== JSON.stringify(want))
      problems.push(`counts ${JSON.stringify(counts)}, expected ${JSON.stringify(want)}`);
  });
  if (!c.signed && a.statuses.includes(200)) problems.push('unsigned request answered 200');
  return problems;
}

// ------------------------------------------------------------------------------------------------ tally

export interface CategoryTally {
  cases: number;
  signed: number;
  /** status (0: no answer) → responses */
  statuses: Record<string, number>;
  fiveXX: number;
  problems: number;
}

export interface Problem {
  index: number;
  category: FuzzCategory;
  variant: string;
  signed: boolean;
  problem: string;
}

export class FuzzTally {
  readonly byCategory = new Map<FuzzCategory, CategoryTally>();
  readonly problems: Problem[] = [];
  /** index → authentic? for every case sent */
  readonly sent = new Map<number, boolean>();
  /** Jobs of cases answered 200 with exactly the expected counts: they must be in Redis. */
  readonly acknowledged = new Set<string>();
  fiveXX = 0;
  /** 503s answered while Redis was down (allowed then). */
  outage503 = 0;
  requests = 0;
  bytes = 0;

  record(c: FuzzCase, a: Answer, redisDown: boolean): void {
    this.sent.set(c.index, c.signed);
    this.requests += c.responses;
    this.bytes += c.bytes.length;
    let t = this.byCategory.get(c.category);
    if (!t) {
      t = { cases: 0, signed: 0, statuses: {}, fiveXX: 0, problems: 0 };
      this.byCategory.set(c.category, t);
    }
    t.cases++;
    if (c.signed) t.signed++;
    for (const status of a.statuses.length ? a.statuses : [0]) t.statuses[status] = (t.statuses[status] ?? 0) + 1;
    for (const status of a.statuses) {
      if (status === 503 && redisDown) this.outage503++;
      else if (status >= 500) {
        this.fiveXX++;
        t.fiveXX++;
      }
    }
    const problems = judge(c, a, redisDown);
    if (problems.length) {
      t.problems++;
      for (const problem of problems)
        this.problems.push({ index: c.index, category: c.category, variant: c.variant, signed: c.signed, problem });
    } else if (c.jobIds && a.statuses[0] === 200) {
      for (const id of c.jobIds) this.acknowledged.add(id);
    }
  }
}

/**
 * Builds (timestamps fresh) and sends cases `from` .. `to`-1, `concurrency` at a time, into `tally`;
 * resolves with the first index not sent.
 */
export async function runCases(args: {
  cases: CaseModule;
  opts: FuzzOptions;
  port: number;
  from: number;
  to: number;
  concurrency: number;
  timeoutMs: number;
  tally: FuzzTally;
  redisDown?: boolean;
  /** Checked before each case: true stops the run early. */
  done?: () => boolean;
  onCase?: (c: FuzzCase, a: Answer) => void;
}): Promise<number> {
  let next = args.from;
  const worker = async () => {
    while (next < args.to && !args.done?.()) {
      const index = next++;
      const c = args.cases.buildCase(args.opts, index, Date.now());
      const a = await sendCase(args.port, c, args.timeoutMs);
      args.tally.record(c, a, args.redisDown ?? false);
      args.onCase?.(c, a);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, args.concurrency) }, worker));
  return next;
}

// ------------------------------------------------------------------------------------------------ jobs

const QUEUE_PREFIX = 'bull:hubspot-events:'; // BullMQ's default prefix + libs/contracts/src/queues.ts
/** SCAN pattern of the queue's keys. */
export const QUEUE_KEYS = `${QUEUE_PREFIX}*`;
// BullMQ's own keys of a queue (not jobs).
const STRUCTURAL = new Set([
  'id',
  'meta',
  'events',
  'wait',
  'paused',
  'active',
  'completed',
  'failed',
  'delayed',
  'prioritized',
  'pc',
  'marker',
  'stalled',
  'stalled-check',
  'limiter',
  'metrics',
  'repeat',
  'de',
  'waiting-children',
]);

/** Job ids of the queue, from its keys; `scan(cursor)` runs SCAN cursor MATCH QUEUE_KEYS COUNT n. */
export async function scanJobIds(scan: (cursor: string) => Promise<[string, string[]]>): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor = '0';
  do {
    const [nextCursor, keys] = await scan(cursor);
    cursor = nextCursor;
    for (const key of keys) {
      const id = key.slice(QUEUE_PREFIX.length).split(':')[0];
      if (!STRUCTURAL.has(id)) ids.add(id);
    }
  } while (cursor !== '0');
  return ids;
}

export interface JobAudit {
  total: number;
  /** Jobs of authentic cases. */
  fromSigned: number;
  /** Jobs whose portal is that of a case that was not authentic, or of no case sent: must be none. */
  fromUnsigned: string[];
  /** Jobs that name no case at all: must be none. */
  unattributed: string[];
  /** Acknowledged (200, expected counts) but not in Redis: must be none. */
  missing: string[];
}

export function auditJobs(ids: Set<string>, tally: FuzzTally, cases: CaseModule): JobAudit {
  const audit: JobAudit = { total: ids.size, fromSigned: 0, fromUnsigned: [], unattributed: [], missing: [] };
  for (const id of ids) {
    const owner = cases.portalOwner(id);
    if (!owner) audit.unattributed.push(id);
    else if (owner.signed && tally.sent.get(owner.index) === true) audit.fromSigned++;
    else audit.fromUnsigned.push(id);
  }
  for (const id of tally.acknowledged) if (!ids.has(id)) audit.missing.push(id);
  return audit;
}

/** `200×12 401×30` */
export function statusLine(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([s, n]) => `${s === '0' ? 'none' : s}×${n}`)
    .join(' ');
}
