/**
 * Seeded, reproducible fuzz cases for POST /webhooks/hubspot: case `index` of seed `seed` is always the
 * same request (only the timestamps follow `now`). Each case is the exact bytes sent on a fresh TCP
 * connection, whether it is authentic (signed with the secret over the exact body and timestamp, within
 * the 5 minute window: the only cases allowed to create jobs) and which answers are correct.
 *
 * Attribution: every event of a case carries the case's own portal id, SIGNED_PORTAL_BASE + index for
 * authentic cases and UNSIGNED_PORTAL_BASE + index otherwise, and every job id starts with
 * `<kind>-<portalId>-`, so a job in Redis names the case that created it (see portalOwner).
 *
 * Shared by bench/webhook-fuzz.ts (Node type stripping) and test/api/webhook-fuzz.e2e-spec.ts (ts-jest):
 * erasable TypeScript only, node: built-ins only, no relative imports.
 */
import { createHash, createHmac } from 'node:crypto';

export const MAX_BODY_BYTES = 1024 * 1024; // apps/api/src/webhooks/raw-json-body.parser.ts
export const MAX_EVENTS = 100; // WEBHOOK_MAX_EVENTS default (apps/api/src/config/api-config.ts)
export const WEBHOOK_PATH = '/webhooks/hubspot';
export const SIGNED_PORTAL_BASE = 4_000_000_000;
export const UNSIGNED_PORTAL_BASE = 9_000_000_000;
const MAX_INDEX = 1_000_000_000;

/** Category → share of the cases, in percent. */
export const CATEGORY_WEIGHTS = {
  'random-bytes': 8,
  'truncated-json': 8,
  'malformed-json': 8,
  'deep-nesting': 5,
  'huge-arrays': 3,
  'wrong-types': 12,
  unicode: 10,
  'header-tricks': 16,
  'replay-altered': 10,
  'stale-future': 5,
  'signed-valid': 10,
  'signed-invalid': 5,
} as const;
export type FuzzCategory = keyof typeof CATEGORY_WEIGHTS;
export const CATEGORIES = Object.keys(CATEGORY_WEIGHTS) as FuzzCategory[];

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  ignored: number;
  invalid: number;
}

export interface FuzzCase {
  index: number;
  category: FuzzCategory;
  /** What the case does, e.g. `flip-byte`, `chunked`, `depth-100000-array`. */
  variant: string;
  /** The request(s) exactly as written to the socket. */
  bytes: Buffer;
  /** Half-close the connection after writing (a declared length longer than the body). */
  halfClose: boolean;
  /** Responses to read: 2 for a pipelined replay of the same request. */
  responses: number;
  /** Signed with the secret over these exact body bytes and a timestamp inside the window. */
  signed: boolean;
  portalId: number;
  /** Correct statuses (the runner adds 503 while Redis is down). */
  acceptable: number[];
  /** Any 4xx is also correct (framing errors, where Node and Fastify pick the code). */
  any4xx: boolean;
  /** The server may close without answering (an incomplete request). */
  noAnswerOk: boolean;
  bodyBytes: number;
  /** For a 200: events in the batch; the exact counts and the jobs that must exist, when known. */
  events?: number;
  expect?: IngestCounts;
  jobIds?: string[];
}

export interface FuzzOptions {
  seed: number;
  secret: string;
  /** HUBSPOT_WEBHOOK_URL of the api: the URL signatures cover. */
  webhookUrl: string;
}

// ------------------------------------------------------------------------------------------------ randomness

export interface Rng {
  /** [0, 1) */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [min, max]. */
  range(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

/** mulberry32, seeded from (seed, index): every case has its own stream. */
export function caseRng(seed: number, index: number): Rng {
  let s = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(index + 0x632be5ab, 0x85ebca77)) >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    range: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)],
    bytes: (n) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}

// ------------------------------------------------------------------------------------------------ signing

/** HubSpot signature v3, written independently of the api: base64(HMAC-SHA256(secret, method + uri + body + timestamp)). */
export function hubspotV3(secret: string, method: string, uri: string, body: Buffer, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method}${uri}`).update(body).update(timestamp).digest('base64');
}

// ------------------------------------------------------------------------------------------------ requests

type HeaderValue = string | Buffer;
type Header = [string, HeaderValue];

type Framing =
  | { kind: 'length' }
  | { kind: 'none' }
  | { kind: 'declared'; value: string; halfClose?: boolean }
  | { kind: 'chunked'; sizes: number[]; extension?: string; trailer?: string; badSize?: boolean; alsoLength?: boolean };

interface Req {
  method?: string;
  path?: string;
  version?: string;
  headers: Header[];
  body: Buffer;
  framing?: Framing;
}

function encode(r: Req, keepAlive = false): { bytes: Buffer; halfClose: boolean } {
  const framing = r.framing ?? { kind: 'length' };
  const headers: Header[] = [['Host', '127.0.0.1'], ...r.headers];
  let payload = r.body;
  let halfClose = false;
  switch (framing.kind) {
    case 'length':
      headers.push(['Content-Length', String(r.body.length)]);
      break;
    case 'none':
      break;
    case 'declared':
      headers.push(['Content-Length', framing.value]);
      halfClose = framing.halfClose ?? false;
      break;
    case 'chunked': {
      headers.push(['Transfer-Encoding', 'chunked']);
      if (framing.alsoLength) headers.push(['Content-Length', String(r.body.length)]);
      const parts: Buffer[] = [];
      let at = 0;
      for (let i = 0; at < r.body.length; i++) {
        const size = Math.min(Math.max(1, framing.sizes[i % framing.sizes.length]), r.body.length - at);
        const sizeText = framing.badSize && i === 0 ? `${size.toString(16)}zz` : size.toString(16);
        parts.push(Buffer.from(`${sizeText}${framing.extension ?? ''}\r\n`), r.body.subarray(at, at + size));
        parts.push(Buffer.from('\r\n'));
        at += size;
      }
      parts.push(Buffer.from(`0\r\n${framing.trailer ? `${framing.trailer}\r\n` : ''}\r\n`));
      payload = Buffer.concat(parts);
      break;
    }
  }
  if (!keepAlive) headers.push(['Connection', 'close']);
  const head: Buffer[] = [
    Buffer.from(`${r.method ?? 'POST'} ${r.path ?? WEBHOOK_PATH} ${r.version ?? 'HTTP/1.1'}\r\n`),
  ];
  for (const [name, value] of headers) {
    head.push(Buffer.from(`${name}: `), typeof value === 'string' ? Buffer.from(value, 'latin1') : value);
    head.push(Buffer.from('\r\n'));
  }
  head.push(Buffer.from('\r\n'));
  return { bytes: Buffer.concat([...head, payload]), halfClose };
}

/** What a spec builder returns; buildCase completes it. */
interface Spec {
  variant: string;
  req: Req;
  signed: boolean;
  acceptable: number[];
  any4xx?: boolean;
  noAnswerOk?: boolean;
  /** Sends the request twice on one connection (a replay of the same signed request). */
  pipelineTwice?: boolean;
  events?: number;
  expect?: IngestCounts;
  jobIds?: string[];
}

// ------------------------------------------------------------------------------------------------ events

interface Ctx {
  rng: Rng;
  index: number;
  now: number;
  opts: FuzzOptions;
  /** The case's portal, fixed by whether the case is authentic. */
  portal: number;
}

const JSON_CT: Header = ['Content-Type', 'application/json'];
const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const zero = (): IngestCounts => ({ accepted: 0, duplicates: 0, ignored: 0, invalid: 0 });
type Event = Record<string, unknown>;

function threadId(c: Ctx, k: number): number {
  return 1_000_000 + (c.index % 1_000_000) * 1000 + (k % 1000);
}

function messageEvent(c: Ctx, k: number): Event {
  return {
    eventId: c.rng.int(2 ** 31),
    subscriptionId: 1870311,
    portalId: c.portal,
    appId: 1098266,
    occurredAt: c.now - c.rng.int(600_000),
    subscriptionType: 'conversation.newMessage',
    attemptNumber: c.rng.pick([0, 0, 0, 1, 4]),
    objectId: threadId(c, k),
    messageId: `fz${c.index}m${k}`,
    messageType: 'MESSAGE',
    changeFlag: 'NEW_MESSAGE',
  };
}

function creationEvent(c: Ctx, k: number): Event {
  return {
    eventId: c.rng.int(2 ** 31),
    subscriptionId: 1870312,
    portalId: c.portal,
    appId: 1098266,
    occurredAt: c.now - c.rng.int(600_000),
    subscriptionType: 'conversation.creation',
    attemptNumber: 0,
    objectId: threadId(c, k),
    changeFlag: 'CREATED',
  };
}

function changeEvent(c: Ctx, k: number): Event {
  const propertyName = c.rng.pick(['status', 'assignedTo']);
  return {
    eventId: c.rng.int(2 ** 31),
    subscriptionId: 1870313,
    portalId: c.portal,
    appId: 1098266,
    occurredAt: c.now - c.rng.int(600_000) + k,
    subscriptionType: 'conversation.propertyChange',
    attemptNumber: 0,
    objectId: threadId(c, k),
    propertyName,
    propertyValue: propertyName === 'status' ? c.rng.pick(['OPEN', 'CLOSED']) : c.rng.pick(['A-123', '', null, 42]),
    changeSource: 'CRM_UI',
  };
}

function ignoredEvent(c: Ctx, k: number): Event {
  switch (c.rng.int(4)) {
    case 0:
      return { ...messageEvent(c, k), messageType: c.rng.pick(['COMMENT', 'WELCOME_MESSAGE']) };
    case 1:
      return { ...creationEvent(c, k), subscriptionType: c.rng.pick(['conversation.deletion', 'contact.creation']) };
    case 2:
      return { ...changeEvent(c, k), propertyName: 'isArchived', propertyValue: 'true' };
    default:
      return { subscriptionType: 'x', portalId: c.portal };
  }
}

/** The job id the api should give an event this file built as valid (libs/contracts/src/job-ids.ts). */
function jobIdOf(e: Event): string {
  const portal = String(e.portalId);
  switch (e.subscriptionType) {
    case 'conversation.newMessage':
      return `msg-${portal}-${String(e.messageId)}`;
    case 'conversation.creation':
      return `open-${portal}-${String(e.objectId)}`;
    default: {
      const value = e.propertyValue as string | number | null | undefined;
      const v = value == null ? '' : String(value);
      return `chg-${portal}-${String(e.objectId)}-${String(e.propertyName)}-${String(e.occurredAt)}-${sha12(v)}`;
    }
  }
}

interface Batch {
  events: Event[];
  expect: IngestCounts;
  jobIds: string[];
}

/** 1..max events, each valid (a job) or ignored, sometimes with a redelivery (a duplicate). */
function validBatch(c: Ctx, max = 8): Batch {
  const n = c.rng.range(1, max);
  const events: Event[] = [];
  const expect = zero();
  const jobIds: string[] = [];
  for (let k = 0; k < n; k++) {
    const roll = c.rng.int(10);
    const e =
      roll < 5
        ? messageEvent(c, k)
        : roll < 6
          ? creationEvent(c, k)
          : roll < 8
            ? changeEvent(c, k)
            : ignoredEvent(c, k);
    events.push(e);
    if (roll >= 8) {
      expect.ignored++;
      continue;
    }
    expect.accepted++;
    jobIds.push(jobIdOf(e));
    if (c.rng.chance(0.15)) {
      // HubSpot redelivers with a higher attemptNumber and another eventId: same job.
      events.push({ ...e, attemptNumber: Number(e.attemptNumber) + 1, eventId: c.rng.int(2 ** 31) });
      expect.duplicates++;
    }
  }
  return { events, expect, jobIds };
}

// ------------------------------------------------------------------------------------------------ signatures

function signedHeaders(c: Ctx, body: Buffer, ts = String(c.now)): Header[] {
  return [
    JSON_CT,
    ['X-HubSpot-Signature-v3', hubspotV3(c.opts.secret, 'POST', c.opts.webhookUrl, body, ts)],
    ['X-HubSpot-Request-Timestamp', ts],
  ];
}

/** Headers of a request that is not authentic, and how: every one of these must be answered 401. */
function forgedHeaders(c: Ctx, body: Buffer): { how: string; headers: Header[] } {
  const ts = String(c.now);
  const sign = (secret: string, b: Buffer, t: string) => hubspotV3(secret, 'POST', c.opts.webhookUrl, b, t);
  const how = c.rng.pick([
    'no-signature',
    'no-headers',
    'empty-signature',
    'wrong-secret',
    'random-signature',
    'other-body',
    'stale',
    'v1-style',
  ] as const);
  switch (how) {
    case 'no-signature':
      return { how, headers: [JSON_CT, ['X-HubSpot-Request-Timestamp', ts]] };
    case 'no-headers':
      return { how, headers: [JSON_CT] };
    case 'empty-signature':
      return { how, headers: [JSON_CT, ['X-HubSpot-Signature-v3', ''], ['X-HubSpot-Request-Timestamp', ts]] };
    case 'wrong-secret':
      return { how, headers: [JSON_CT, ['X-HubSpot-Signature-v3', sign(`${c.opts.secret}x`, body, ts)], tsH(ts)] };
    case 'random-signature':
      return { how, headers: [JSON_CT, ['X-HubSpot-Signature-v3', c.rng.bytes(32).toString('base64')], tsH(ts)] };
    case 'other-body': {
      const other = Buffer.from(body.equals(Buffer.from('[]')) ? '[ ]' : '[]');
      return { how, headers: [JSON_CT, ['X-HubSpot-Signature-v3', sign(c.opts.secret, other, ts)], tsH(ts)] };
    }
    case 'stale': {
      const old = String(c.now - 10 * 60_000);
      return { how, headers: [JSON_CT, ['X-HubSpot-Signature-v3', sign(c.opts.secret, body, old)], tsH(old)] };
    }
    case 'v1-style': {
      const v1 = createHash('sha256').update(c.opts.secret).update(body).digest('hex');
      return { how, headers: [JSON_CT, ['X-HubSpot-Signature', v1], ['X-HubSpot-Signature-Version', 'v1'], tsH(ts)] };
    }
  }
}

const tsH = (ts: string): Header => ['X-HubSpot-Request-Timestamp', ts];

/** What the api must answer an authentic JSON request with this body: the contract, restated. */
function predict(body: Buffer): { acceptable: number[]; events?: number } {
  if (body.length > MAX_BODY_BYTES) return { acceptable: [413] };
  if (body.length === 0) return { acceptable: [400] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { acceptable: [400] };
  }
  if (!Array.isArray(parsed)) return { acceptable: [400] };
  // A signed batch larger than HubSpot ever sends is refused whole (WEBHOOK_MAX_EVENTS).
  return parsed.length > MAX_EVENTS ? { acceptable: [413] } : { acceptable: [200], events: parsed.length };
}

/**
 * A body-centred case: authentic with probability `pSigned` (answer predicted from the body), else
 * forged (401, or 413 above the size limit). `build` gets the context with the right portal.
 */
function bodyCase(c: Ctx, pSigned: number, build: (c: Ctx) => { variant: string; body: Buffer; batch?: Batch }): Spec {
  const signed = c.rng.chance(pSigned);
  const ctx = { ...c, portal: (signed ? SIGNED_PORTAL_BASE : UNSIGNED_PORTAL_BASE) + c.index };
  const { variant, body, batch } = build(ctx);
  if (signed) {
    const p = predict(body);
    const exact = batch && p.events === batch.events.length;
    return {
      variant: `${variant}/signed`,
      req: { headers: signedHeaders(ctx, body), body },
      signed: true,
      acceptable: p.acceptable,
      events: p.events,
      expect: exact ? batch.expect : undefined,
      jobIds: exact ? batch.jobIds : undefined,
    };
  }
  const forged = forgedHeaders(ctx, body);
  return {
    variant: `${variant}/${forged.how}`,
    req: { headers: forged.headers, body },
    signed: false,
    acceptable: [body.length > MAX_BODY_BYTES ? 413 : 401],
  };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

// ------------------------------------------------------------------------------------------------ categories

function randomBytes(c: Ctx): Spec {
  return bodyCase(c, 0.5, ({ rng }) => {
    const size = rng.pick([0, 1, rng.range(2, 64), rng.range(65, 4096), rng.range(4097, 65_536)]);
    const shape = rng.pick(['random', 'invalid-utf8', 'bracketed', 'string-of-bytes', 'nul'] as const);
    switch (shape) {
      case 'random':
        return { variant: `random-${size}`, body: rng.bytes(size) };
      case 'invalid-utf8': {
        const bad = [
          [0xc0, 0x80],
          [0xed, 0xa0, 0x80],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
          [0x80],
          [0xe2, 0x82],
          [0xff, 0xfe],
        ];
        const parts: number[] = [];
        while (parts.length < Math.max(size, 1)) parts.push(...rng.pick(bad), rng.int(128));
        return { variant: 'invalid-utf8', body: Buffer.from(parts) };
      }
      case 'bracketed':
        return {
          variant: 'bracketed-random',
          body: Buffer.concat([Buffer.from('['), rng.bytes(size), Buffer.from(']')]),
        };
      case 'string-of-bytes': {
        // Valid JSON structure around invalid UTF-8: decodes with U+FFFD, parses, events invalid.
        const junk = Buffer.from(rng.bytes(Math.min(size, 512)).map((b) => (b < 0x80 ? 0xff : b)));
        return {
          variant: 'json-string-of-invalid-utf8',
          body: Buffer.concat([
            Buffer.from('["'),
            junk,
            Buffer.from('",{"subscriptionType":"'),
            junk,
            Buffer.from('"}]'),
          ]),
        };
      }
      case 'nul':
        return { variant: 'nul-bytes', body: Buffer.alloc(Math.max(size, 1)) };
    }
  });
}

function truncatedJson(c: Ctx): Spec {
  const signed = c.rng.chance(0.6);
  const ctx = { ...c, portal: (signed ? SIGNED_PORTAL_BASE : UNSIGNED_PORTAL_BASE) + c.index };
  const full = Buffer.from(JSON.stringify(validBatch(ctx, 6).events, null, c.rng.pick([0, 0, 2])));
  // A cut inside a multi-byte character now and then.
  const withUnicode = c.rng.chance(0.3) ? Buffer.from(full.toString().replace('MESSAGE', 'MESSAGE😀é')) : full;
  const cut = c.rng.range(1, withUnicode.length - 1);
  const body = withUnicode.subarray(0, cut);
  if (signed) {
    const p = predict(body);
    return { variant: 'truncated/signed', req: { headers: signedHeaders(ctx, body), body }, signed, ...p };
  }
  // HubSpot's signature of the whole batch, body cut in transit.
  return {
    variant: 'truncated/signature-of-full-body',
    req: { headers: signedHeaders(ctx, withUnicode), body },
    signed,
    acceptable: [401],
  };
}

function malformedJson(c: Ctx): Spec {
  return bodyCase(c, 0.7, (ctx) => {
    const good = JSON.stringify(validBatch(ctx, 3).events);
    const e = JSON.stringify(messageEvent(ctx, 0));
    const variants: [string, string | Buffer][] = [
      ['trailing-comma', good.replace(/]$/, ',]')],
      ['single-quotes', good.replace(/"/g, "'")],
      ['unquoted-keys', good.replace(/"(\w+)":/g, '$1:')],
      ['comment', `/* hi */${good}`],
      ['nan', `[${e.replace(/"occurredAt":\d+/, '"occurredAt":NaN')}]`],
      ['infinity', `[${e.replace(/"attemptNumber":\d+/, '"attemptNumber":Infinity')}]`],
      ['bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])],
      ['leading-garbage', `)]}'\n${good}`],
      ['missing-comma', `[1 2]`],
      ['duplicate-keys', `[${e.replace(/}$/, ',"messageId":"a:b","messageId":"fz${ctx.index}dup"}')}]`],
      ['huge-exponent', `[${e.replace(/"occurredAt":\d+/, '"occurredAt":1e999999')}]`],
      ['long-number', `[${e.replace(/"objectId":\d+/, `"objectId":${'9'.repeat(2000)}`)}]`],
      ['negative-zero', `[${e.replace(/"attemptNumber":\d+/, '"attemptNumber":-0')}]`],
      ['escaped-nul', `[${e.replace(/"messageId":"/, '"messageId":"\\u0000')}]`],
      ['bad-escape', `[${e.replace(/"messageId":"/, '"messageId":"\\x41')}]`],
      ['unterminated-string', `[{"subscriptionType":"conversation.newMessage]`],
      ['raw-newline-in-string', `[${e.replace(/"messageId":"/, '"messageId":"\n')}]`],
      ['open-bracket', '['],
      ['close-bracket', ']'],
      ['whitespace', ' \n\t\r '],
      ['line-separator', `[${e.replace(/"messageId":"/, '"messageId":"\u2028')}]\u2029`],
      ['two-documents', `${good}${good}`],
      ['object-of-events', `{"0":${e}}`],
      ['proto-keys', `[${e.replace(/^{/, '{"__proto__":{"messageType":"MESSAGE"},"constructor":{"prototype":{}},')}]`],
      ['empty-array', '[]'],
      ['array-of-empties', '[[],{},"",0,false,null]'],
    ];
    const [variant, body] = ctx.rng.pick(variants);
    return { variant, body: Buffer.isBuffer(body) ? body : Buffer.from(body) };
  });
}

/** Nested arrays or objects, alone or inside an event, within (or just beyond) 1 MiB. */
function deepNesting(c: Ctx): Spec {
  return bodyCase(c, 0.7, (ctx) => {
    const depth = ctx.rng.pick([100, 1000, 10_000, 100_000, 300_000, 500_000]);
    const shape = ctx.rng.pick(['arrays', 'objects', 'in-unknown-field', 'in-message-id', 'unbalanced', 'over-limit']);
    const arrays = (d: number) => '['.repeat(d) + ']'.repeat(d);
    const objects = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
    const fit = (d: number, perLevel: number) => Math.min(d, Math.floor((MAX_BODY_BYTES - 600) / perLevel));
    const e = messageEvent(ctx, 0);
    const inEvent = (field: string, nested: string) => `[${JSON.stringify(e).replace(/}$/, `,"${field}":${nested}}`)}]`;
    switch (shape) {
      case 'arrays':
        return { variant: `depth-${fit(depth, 2)}-arrays`, body: Buffer.from(arrays(fit(depth, 2))) };
      case 'objects':
        return { variant: `depth-${fit(depth, 6)}-objects`, body: Buffer.from(`[${objects(fit(depth, 6))}]`) };
      case 'in-unknown-field': {
        // Unknown fields are dropped: the event itself is valid and creates its job.
        const batch = { events: [e], expect: { ...zero(), accepted: 1 }, jobIds: [jobIdOf(e)] };
        return { variant: 'deep-unknown-field', body: Buffer.from(inEvent('extra', arrays(fit(depth, 2)))), batch };
      }
      case 'in-message-id':
        return { variant: 'deep-message-id', body: Buffer.from(inEvent('messageId', objects(fit(depth, 6)))) };
      case 'unbalanced':
        return { variant: `depth-${fit(depth, 2)}-unbalanced`, body: Buffer.from('['.repeat(fit(depth, 2) * 2)) };
      default:
        return { variant: 'depth-over-1MiB', body: Buffer.from(arrays(MAX_BODY_BYTES / 2 + 10)) };
    }
  });
}

/** Arrays of many small events near the 1 MiB limit (exactly at it, or just beyond: 413). */
function hugeArrays(c: Ctx): Spec {
  return bodyCase(c, 0.7, (ctx) => {
    const kind = ctx.rng.pick([
      'ignored',
      'mixed',
      'numbers-and-invalid',
      'exact-limit',
      'limit-plus-one',
      'over',
    ] as const);
    const target =
      kind === 'exact-limit' || kind === 'limit-plus-one'
        ? MAX_BODY_BYTES
        : kind === 'over'
          ? MAX_BODY_BYTES + ctx.rng.range(1, 256 * 1024)
          : ctx.rng.range(MAX_BODY_BYTES / 2, MAX_BODY_BYTES - 64);
    const parts: string[] = [];
    const expect = zero();
    const jobIds: string[] = [];
    let size = 2;
    for (let k = 0; ; k++) {
      let part: string;
      let counts: keyof IngestCounts;
      if (kind === 'mixed' && k < 300 && k % 3 === 0) {
        const e = messageEvent(ctx, k);
        part = JSON.stringify(e);
        counts = 'accepted';
        jobIds.push(jobIdOf(e));
      } else if (kind === 'numbers-and-invalid' && k < 2000) {
        // Invalid events are logged one line each: keep their number bounded.
        part = k % 2 ? '0' : '{"subscriptionType":"conversation.creation"}';
        counts = 'invalid';
      } else {
        part = '{"subscriptionType":"x"}';
        counts = 'ignored';
      }
      if (size + part.length + 1 > target - 40) break;
      parts.push(part);
      expect[counts]++;
      size += part.length + (k ? 1 : 0);
    }
    let body = `[${parts.join(',')}]`;
    if (kind === 'exact-limit' || kind === 'limit-plus-one') {
      const want = kind === 'exact-limit' ? MAX_BODY_BYTES : MAX_BODY_BYTES + 1;
      body = body.slice(0, -1) + ' '.repeat(want - body.length) + ']';
    }
    const batch = { events: new Array<Event>(parts.length), expect, jobIds };
    return { variant: `${kind}-${parts.length}-events`, body: Buffer.from(body), batch };
  });
}

/** Every field, in turn, replaced by values of the wrong type or out of range. */
function wrongTypes(c: Ctx): Spec {
  return bodyCase(c, 0.7, (ctx) => {
    const { rng } = ctx;
    const deep = (d: number): unknown => (d === 0 ? 1 : { a: deep(d - 1) });
    const pool: unknown[] = [
      null,
      true,
      false,
      -1,
      1.5,
      -0.5,
      1e308,
      -1e308,
      2 ** 53,
      2 ** 64,
      '',
      ' ',
      'abc',
      '1e3',
      '0x10',
      '-5',
      '12 3',
      '١٢٣',
      'null',
      'NaN',
      [],
      [1],
      {},
      { a: 1 },
      'x'.repeat(10_000),
      deep(50),
      ['conversation.newMessage'],
      // Own properties that shadow Object.prototype's: String(value) throws on these.
      { toString: 'x', valueOf: 1 },
      { toString: null },
      [{ toString: 0 }],
    ];
    // A portal id that is still valid would be another portal: not attributable, so never.
    const validId = (v: unknown) =>
      (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && /^\d{1,20}$/.test(v));
    const base = rng.pick([messageEvent, creationEvent, changeEvent])(ctx, 0);
    const fields = [...Object.keys(base), 'messageId', 'propertyName', 'propertyValue'];
    const changed: string[] = [];
    for (let n = rng.range(1, 3); n > 0; n--) {
      const field = rng.pick(fields);
      const candidates = field === 'portalId' ? pool.filter((v) => !validId(v)) : pool;
      if (rng.chance(0.15)) delete base[field];
      else base[field] = rng.pick(candidates);
      changed.push(field);
    }
    const events: unknown[] = [base];
    if (rng.chance(0.3)) events.push(rng.pick(pool.filter((v) => !validId(v))));
    if (rng.chance(0.2)) events.push(messageEvent(ctx, 1));
    return { variant: `wrong-${changed.join('+')}`, body: json(events) };
  });
}

/** Emoji, RTL, NUL, lone surrogates, other digits and combining marks in strings, ids and keys. */
function unicode(c: Ctx): Spec {
  return bodyCase(c, 0.7, (ctx) => {
    const { rng } = ctx;
    const strings = [
      '😀',
      '👩‍👩‍👧‍👦',
      '\u202Eevil\u202C',
      'مرحبا بالعالم',
      'שלום',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udfff\ud800',
      '\uFEFF',
      'e\u0301\u0301\u0301',
      '４０００',
      '٣٣٣',
      'Z̷̛͓a̸l̷g̸o̵',
      '\u2028\u2029',
      'ﷺ'.repeat(100),
      '\u{10FFFF}',
      'x'.repeat(128),
      'y'.repeat(129),
    ];
    const field = rng.pick([
      'messageId',
      'messageId',
      'portalId',
      'objectId',
      'subscriptionType',
      'messageType',
      'propertyValue',
      'propertyName',
      'key',
      'raw-bytes',
    ]);
    const s = rng.pick(strings);
    const e: Event = field === 'propertyValue' || field === 'propertyName' ? changeEvent(ctx, 0) : messageEvent(ctx, 0);
    if (field === 'key') e[s] = s;
    else if (field === 'portalId') e.portalId = `${ctx.portal}${s}`;
    else if (field !== 'raw-bytes')
      e[field] = field === 'messageId' && rng.chance(0.5) ? `${String(e.messageId)}${s}` : s;
    // JSON.stringify escapes lone surrogates; raw bytes send them as CESU-8 (invalid UTF-8) instead.
    const body =
      field === 'raw-bytes'
        ? Buffer.concat([
            Buffer.from(`[${JSON.stringify(e)}`.slice(0, -1)),
            Buffer.from(',"note":"'),
            Buffer.from([0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0x00]),
            Buffer.from('"}]'),
          ])
        : json([e]);
    return { variant: `unicode-${field}`, body };
  });
}

/** Signature and timestamp headers, content types, framing and request lines. */
function headerTricks(c: Ctx): Spec {
  const { rng } = c;
  const trick = rng.int(46);
  const authentic = (variant: string, req: Partial<Req>, acceptable = [200]) => {
    const ctx = { ...c, portal: SIGNED_PORTAL_BASE + c.index };
    const batch = validBatch(ctx, 4);
    const body = req.body ?? json(batch.events);
    const exact = !req.body;
    return {
      ctx,
      spec: (headers: Header[], more: Partial<Spec> = {}): Spec => ({
        variant,
        req: { ...req, headers, body },
        signed: true,
        acceptable,
        events: exact ? batch.events.length : undefined,
        expect: exact && acceptable.length === 1 ? batch.expect : undefined,
        jobIds: exact && acceptable.length === 1 ? batch.jobIds : undefined,
        ...more,
      }),
      body,
      sig: (ts = String(c.now), b = body) => hubspotV3(c.opts.secret, 'POST', c.opts.webhookUrl, b, ts),
    };
  };
  // `authentic`: the signature headers are right for the bytes sent and only the framing, request
  // line or path is odd; were the body accepted, it would be authentic (a job is no breach).
  const forged = (variant: string, acceptable = [401], extra: Partial<Spec> = {}, authentic = false) => {
    const ctx = { ...c, portal: (authentic ? SIGNED_PORTAL_BASE : UNSIGNED_PORTAL_BASE) + c.index };
    const body = json(validBatch(ctx, 4).events);
    return {
      body,
      sig: (ts = String(c.now), b = body, method = 'POST', url = c.opts.webhookUrl, secret = c.opts.secret) =>
        hubspotV3(secret, method, url, b, ts),
      spec: (headers: Header[], req: Partial<Req> = {}): Spec => ({
        variant,
        req: { headers, body, ...req },
        signed: authentic,
        acceptable,
        ...extra,
      }),
    };
  };
  const ts = String(c.now);
  const SIG = 'X-HubSpot-Signature-v3';
  const TS = 'X-HubSpot-Request-Timestamp';
  switch (trick) {
    case 0: {
      const f = forged('missing-signature');
      return f.spec([JSON_CT, [TS, ts]]);
    }
    case 1: {
      const f = forged('missing-timestamp');
      return f.spec([JSON_CT, [SIG, f.sig()]]);
    }
    case 2: {
      const f = forged('whitespace-signature');
      return f.spec([JSON_CT, [SIG, '   '], [TS, ts]]);
    }
    case 3: {
      const a = authentic('odd-case-names', {});
      return a.spec([
        ['CONTENT-TYPE', 'application/json'],
        ['x-HUBSPOT-signature-V3', a.sig()],
        ['X-hubspot-REQUEST-timestamp', ts],
      ]);
    }
    case 4: {
      // Node joins repeated unknown headers with ", "; lenient base64 may still decode the first.
      const a = authentic('duplicate-signature-same', {}, [200, 401]);
      return a.spec([JSON_CT, [SIG, a.sig()], [SIG, a.sig()], [TS, ts]]);
    }
    case 5: {
      const a = authentic('duplicate-signature-garbage-first', {}, [200, 401]);
      return a.spec([JSON_CT, [SIG, 'AAAA'], [SIG, a.sig()], [TS, ts]]);
    }
    case 6: {
      const f = forged('duplicate-signature-forged');
      return f.spec([JSON_CT, [SIG, f.sig(ts, Buffer.from('[]'))], [SIG, rng.bytes(32).toString('base64')], [TS, ts]]);
    }
    case 7: {
      const a = authentic('duplicate-timestamp', {}, [200, 401]);
      return a.spec([JSON_CT, [SIG, a.sig()], [TS, ts], [TS, ts]]);
    }
    case 8: {
      const f = forged('huge-signature-8k');
      return f.spec([JSON_CT, [SIG, 'A'.repeat(8 * 1024)], [TS, ts]]);
    }
    case 9: {
      const f = forged('huge-signature-20k', [431], { any4xx: true });
      return f.spec([JSON_CT, [SIG, 'A'.repeat(20 * 1024)], [TS, ts]]);
    }
    case 10: {
      const f = forged('huge-timestamp-12k');
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, '9'.repeat(12 * 1024)]]);
    }
    case 11:
    case 12:
    case 13: {
      // The signature really covers the odd timestamp; the timestamp itself must be refused.
      const odd = rng.pick([
        '',
        ' ',
        'abc',
        '-1',
        `-${ts}`,
        '1.7e12',
        `${ts}.0`,
        `${ts}.5`,
        `0x${Number(ts).toString(16)}`,
        `+${ts}`,
        '9'.repeat(16),
        '9'.repeat(300),
        '999999999999999',
        '0',
        String(Math.floor(c.now / 1000)),
        String(c.now * 1000),
        `${ts},${ts}`,
        '١٧٠٠٠٠٠٠٠٠٠٠٠',
        `${ts}\u00a0`,
      ]);
      const f = forged(`timestamp-${JSON.stringify(odd).slice(0, 24)}`);
      return f.spec([JSON_CT, [SIG, f.sig(odd)], [TS, odd]]);
    }
    case 14: {
      // Leading zeros keep the value and stay within 15 digits: a valid timestamp string.
      const zeros = `0${ts}`;
      const a = authentic('timestamp-leading-zero', {});
      return a.spec([JSON_CT, [SIG, a.sig(zeros)], [TS, zeros]]);
    }
    case 15: {
      // Optional whitespace around a header value is not part of it.
      const a = authentic('timestamp-ows', {});
      return a.spec([JSON_CT, [SIG, ` ${a.sig()}\t`], [TS, `  ${ts} `]]);
    }
    case 16: {
      const a = authentic('signature-base64url-unpadded', {}, [200, 401]);
      const s = a.sig().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      return a.spec([JSON_CT, [SIG, s], [TS, ts]]);
    }
    case 17: {
      const f = forged('signature-hex');
      const hex = Buffer.from(f.sig(), 'base64').toString('hex');
      return f.spec([JSON_CT, [SIG, hex], [TS, ts]]);
    }
    case 18: {
      const f = forged('signature-truncated');
      return f.spec([JSON_CT, [SIG, f.sig().slice(0, rng.range(1, 40))], [TS, ts]]);
    }
    case 19: {
      const f = forged('signature-of-other-method');
      return f.spec([JSON_CT, [SIG, f.sig(ts, f.body, rng.pick(['GET', 'PUT', 'post']))], [TS, ts]]);
    }
    case 20: {
      const f = forged('signature-of-other-url');
      const url = rng.pick([
        `${c.opts.webhookUrl}/`,
        c.opts.webhookUrl.replace('https:', 'http:'),
        `${c.opts.webhookUrl}?a=1`,
        c.opts.webhookUrl.toUpperCase(),
      ]);
      return f.spec([JSON_CT, [SIG, f.sig(ts, f.body, 'POST', url)], [TS, ts]]);
    }
    case 21: {
      const f = forged('timestamp-differs-from-signed');
      return f.spec([JSON_CT, [SIG, f.sig(String(c.now - 1))], [TS, ts]]);
    }
    case 22:
    case 23: {
      const type = rng.pick([
        'application/json; charset=utf-8',
        'application/json;charset=UTF-8',
        'Application/JSON',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'application/json ; foo=bar',
      ]);
      const a = authentic(`content-type ${type}`, {}, [200, 400, 415]);
      return a.spec([
        ['Content-Type', type],
        [SIG, a.sig()],
        [TS, ts],
      ]);
    }
    case 24:
    case 25: {
      const type = rng.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/jsonp',
        'application/vnd.api+json',
        'application/json-patch+json',
        '*/*',
        '',
        'application/',
        'json',
      ]);
      const signed = rng.chance(0.5);
      if (signed) {
        const a = authentic(`content-type ${JSON.stringify(type)}/signed`, {}, [415]);
        return a.spec([
          ['Content-Type', type],
          [SIG, a.sig()],
          [TS, ts],
        ]);
      }
      const f = forged(`content-type ${JSON.stringify(type)}/forged`, [401, 415]);
      return f.spec([
        ['Content-Type', type],
        [SIG, rng.bytes(32).toString('base64')],
        [TS, ts],
      ]);
    }
    case 26: {
      const a = authentic('no-content-type', {}, [415]);
      return a.spec([
        [SIG, a.sig()],
        [TS, ts],
      ]);
    }
    case 27: {
      const a = authentic('duplicate-content-type', {}, [200, 400, 415]);
      return a.spec([JSON_CT, ['Content-Type', 'text/plain'], [SIG, a.sig()], [TS, ts]]);
    }
    case 28:
    case 29: {
      const sizes = [rng.range(1, 16), rng.range(1, 4096), rng.range(1, 70_000)];
      const extension = rng.chance(0.3) ? ';ext=1' : undefined;
      const trailer = rng.chance(0.3) ? 'X-Trailer: 1' : undefined;
      const a = authentic('chunked', { framing: { kind: 'chunked', sizes, extension, trailer } });
      return a.spec([JSON_CT, [SIG, a.sig()], [TS, ts]]);
    }
    case 30: {
      const big = Buffer.from(`[${'{"subscriptionType":"x"},'.repeat(45_000)}0]`);
      const a = authentic('chunked-over-limit', { body: big, framing: { kind: 'chunked', sizes: [65_536] } }, [413]);
      return a.spec([JSON_CT, [SIG, a.sig(ts, big)], [TS, ts]]);
    }
    case 31: {
      const f = forged('chunked-and-content-length', [400], { any4xx: true, noAnswerOk: true }, true);
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], {
        framing: { kind: 'chunked', sizes: [10], alsoLength: true },
      });
    }
    case 32: {
      const f = forged('chunked-bad-size', [400], { any4xx: true, noAnswerOk: true }, true);
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], { framing: { kind: 'chunked', sizes: [7], badSize: true } });
    }
    case 33: {
      // Only the declared prefix is the body (not what was signed); the rest is a garbage "request".
      const f = forged('content-length-shorter', [401], { any4xx: true });
      const declared = String(rng.range(1, f.body.length - 1));
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], { framing: { kind: 'declared', value: declared } });
    }
    case 34: {
      const f = forged('content-length-longer', [400], { any4xx: true, noAnswerOk: true }, true);
      const declared = String(f.body.length + rng.range(1, 1000));
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], {
        framing: { kind: 'declared', value: declared, halfClose: true },
      });
    }
    case 35: {
      const value = rng.pick(['abc', '-1', '+10', '1e3', '99999999999999999999999', '10, 20', '0x10']);
      const f = forged(`content-length ${value}`, [400], { any4xx: true, noAnswerOk: true }, true);
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], { framing: { kind: 'declared', value, halfClose: true } });
    }
    case 36: {
      const f = forged('content-length-huge', [413], { any4xx: true, noAnswerOk: true }, true);
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], {
        framing: { kind: 'declared', value: String(2 ** 40), halfClose: true },
      });
    }
    case 37: {
      const a = authentic('expect-100-continue', {});
      return a.spec([JSON_CT, [SIG, a.sig()], [TS, ts], ['Expect', '100-continue']]);
    }
    case 38: {
      const a = authentic('many-headers', {}, [200, 431]);
      const filler: Header[] = Array.from({ length: rng.pick([50, 500, 1500]) }, (_, i) => [`X-Fill-${i}`, 'v']);
      return a.spec([JSON_CT, ...filler, [SIG, a.sig()], [TS, ts]]);
    }
    case 39: {
      const a = authentic('proxy-headers', {});
      return a.spec([
        JSON_CT,
        [SIG, a.sig()],
        [TS, ts],
        ['X-Forwarded-Proto', 'http'],
        ['X-Forwarded-Host', 'evil.example'],
        ['X-Forwarded-For', '1.2.3.4, 5.6.7.8'],
        ['X-Request-Id', 'x'.repeat(2000)],
      ]);
    }
    case 40: {
      const f = forged('invalid-header-bytes', [400], { any4xx: true, noAnswerOk: true });
      return f.spec([
        JSON_CT,
        [SIG, Buffer.from([0x41, 0x00, 0x42])],
        [TS, ts],
        [rng.pick(['Bad Name', 'Bad:Name', 'Bäd']), 'x'],
      ]);
    }
    case 41: {
      const f = forged('utf8-in-signature');
      return f.spec([JSON_CT, [SIG, Buffer.from(`${f.sig().slice(0, 40)}é😀`)], [TS, Buffer.from('１７００')]]);
    }
    case 42: {
      const method = rng.pick(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
      const f = forged(`method ${method}`, [404, 405], { any4xx: true });
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], { method });
    }
    case 43: {
      const method = rng.pick(['post', 'P0ST', 'POST /x']);
      const f = forged(`bad-method ${method}`, [400], { any4xx: true, noAnswerOk: true }, true);
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], { method });
    }
    case 44: {
      const path = rng.pick([
        '/webhooks/hubspot/',
        '/webhooks/HubSpot',
        '//webhooks/hubspot',
        '/webhooks/hubspot%00',
        '/webhooks/./hubspot',
        '/webhooks/hubspot/..',
        '/health/ready',
        `/webhooks/${'a'.repeat(5000)}`,
      ]);
      const f = forged(`path ${path.slice(0, 30)}`, [404], { any4xx: true }, true);
      return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], { path });
    }
    default: {
      const which = rng.pick(['query', 'http-1.0', 'absolute-form', 'http-2.0', 'http-1.2']);
      if (which === 'http-2.0' || which === 'http-1.2') {
        const version = which === 'http-2.0' ? 'HTTP/2.0' : 'HTTP/1.2';
        const f = forged(`version ${version}`, [200, 400], { any4xx: true, noAnswerOk: true }, true);
        return f.spec([JSON_CT, [SIG, f.sig()], [TS, ts]], { version });
      }
      const req: Partial<Req> =
        which === 'query'
          ? { path: `${WEBHOOK_PATH}?portalId=1&x=%00` }
          : which === 'http-1.0'
            ? { version: 'HTTP/1.0' }
            : { path: `http://127.0.0.1${WEBHOOK_PATH}` };
      const a = authentic(`request-line ${which}`, req, which === 'absolute-form' ? [200, 400, 404] : [200]);
      return a.spec([JSON_CT, [SIG, a.sig()], [TS, ts]]);
    }
  }
}

/** A request HubSpot really signed, replayed with the body altered: always 401, never a job. */
function replayAltered(c: Ctx): Spec {
  const ctx = { ...c, portal: UNSIGNED_PORTAL_BASE + c.index };
  const events = validBatch(ctx, 5).events;
  const original = json(events);
  const ts = String(c.now);
  const headers = signedHeaders(ctx, original, ts);
  const how = c.rng.pick([
    'flip-byte',
    'flip-byte',
    'whitespace',
    'reorder-keys',
    'pretty-print',
    'change-message-id',
    'append-event',
    'drop-event',
    'unicode-escape',
    'trailing-nul',
    'other-timestamp',
    'other-body',
    'truncate-signature-body',
  ] as const);
  let body = original;
  let sent = headers;
  switch (how) {
    case 'flip-byte': {
      body = Buffer.from(original);
      const at = c.rng.int(body.length);
      body[at] ^= 1 << c.rng.int(8);
      break;
    }
    case 'whitespace':
      body = Buffer.from(
        c.rng.pick([` ${original.toString()}`, `${original.toString()}\n`, original.toString().replace(',', ', ')]),
      );
      break;
    case 'reorder-keys':
      body = json(events.map((e) => Object.fromEntries(Object.entries(e).reverse())));
      break;
    case 'pretty-print':
      body = Buffer.from(JSON.stringify(events, null, 2));
      break;
    case 'change-message-id':
      body = json(events.map((e) => ({ ...e, messageId: `${String(e.messageId)}x` })));
      break;
    case 'append-event':
      body = json([...events, { ...messageEvent(ctx, 99) }]);
      break;
    case 'drop-event':
      body = json(events.length > 1 ? events.slice(1) : [messageEvent(ctx, 98)]);
      break;
    case 'unicode-escape':
      // The same JSON value, other bytes.
      body = Buffer.from(
        original.toString().replace('"MESSAGE"', '"\\u004dESSAGE"').replace('"portalId"', '"portal\\u0049d"'),
      );
      if (body.equals(original)) body = Buffer.from(`${original.toString()} `);
      break;
    case 'trailing-nul':
      body = Buffer.concat([original, Buffer.from([0])]);
      break;
    case 'other-timestamp':
      sent = [headers[0], headers[1], tsH(String(c.now - c.rng.range(1, 1000)))];
      break;
    case 'other-body':
      body = json([messageEvent(ctx, 97)]);
      break;
    case 'truncate-signature-body':
      body = original.subarray(0, original.length - 1);
      break;
  }
  return { variant: how, req: { headers: sent, body }, signed: false, acceptable: [401] };
}

/** Correct signatures outside the ±5 minute window (401), and just inside it (200). */
function staleFuture(c: Ctx): Spec {
  const inside = c.rng.chance(0.2);
  const ctx = { ...c, portal: (inside ? SIGNED_PORTAL_BASE : UNSIGNED_PORTAL_BASE) + c.index };
  const batch = validBatch(ctx, 4);
  const body = json(batch.events);
  const FIVE_MIN = 5 * 60_000;
  if (inside) {
    const skew = c.rng.pick([-1, 1]) * c.rng.range(0, 4 * 60_000);
    const ts = String(c.now + skew);
    return {
      variant: `inside-window ${Math.round(skew / 1000)}s`,
      req: { headers: signedHeaders(ctx, body, ts), body },
      signed: true,
      acceptable: [200],
      events: batch.events.length,
      expect: batch.expect,
      jobIds: batch.jobIds,
    };
  }
  const [variant, at] = c.rng.pick([
    ['stale-5min+2s', c.now - FIVE_MIN - 2000],
    ['stale-1h', c.now - 3_600_000],
    ['stale-1day', c.now - 86_400_000],
    ['stale-1year', c.now - 365 * 86_400_000],
    ['year-2000', 946_684_800_000],
    ['epoch-0', 0],
    ['seconds', Math.floor(c.now / 1000)],
    ['future-5min+2s', c.now + FIVE_MIN + 2000],
    ['future-1day', c.now + 86_400_000],
    ['max-15-digits', 999_999_999_999_999],
  ] as const);
  return {
    variant,
    req: { headers: signedHeaders(ctx, body, String(at)), body },
    signed: false,
    acceptable: [401],
  };
}

function signedValid(c: Ctx): Spec {
  const ctx = { ...c, portal: SIGNED_PORTAL_BASE + c.index };
  const batch = validBatch(ctx, 20);
  const style = c.rng.pick(['compact', 'compact', 'pretty', 'ids-as-strings', 'charset', 'replayed-twice'] as const);
  const events =
    style === 'ids-as-strings'
      ? batch.events.map((e) => ({ ...e, portalId: String(e.portalId), objectId: String(e.objectId) }))
      : batch.events;
  const body = Buffer.from(JSON.stringify(events, null, style === 'pretty' ? 2 : 0));
  const headers = signedHeaders(ctx, body);
  if (style === 'charset') headers[0] = ['Content-Type', 'application/json; charset=utf-8'];
  return {
    variant: style,
    req: { headers, body },
    signed: true,
    acceptable: [200],
    pipelineTwice: style === 'replayed-twice',
    events: events.length,
    expect: batch.expect,
    jobIds: batch.jobIds,
  };
}

/** Signed bodies that are not arrays, or arrays of invalid events. */
function signedInvalid(c: Ctx): Spec {
  const ctx = { ...c, portal: SIGNED_PORTAL_BASE + c.index };
  const e = messageEvent(ctx, 0);
  const invalidEvents: Event[] = [
    { ...e, messageId: 'a:b' },
    { ...e, messageId: '' },
    { ...e, messageId: 'z'.repeat(129) },
    { ...e, portalId: undefined },
    { ...e, portalId: -1 },
    { ...e, portalId: 2 ** 60 },
    { ...e, objectId: -1 },
    { ...e, objectId: '1'.repeat(21) },
    { ...e, occurredAt: String(e.occurredAt) },
    { ...e, occurredAt: -1 },
    { ...e, attemptNumber: 0.5 },
    { ...e, attemptNumber: -1 },
    { ...creationEvent(ctx, 1), objectId: null },
    { ...changeEvent(ctx, 2), propertyName: 'status', propertyValue: 'v'.repeat(257) },
    { ...changeEvent(ctx, 3), propertyName: 'status', propertyValue: { a: 1 } },
  ];
  const which = c.rng.int(6);
  let body: Buffer;
  let expect: IngestCounts | undefined;
  if (which === 0) body = Buffer.from(c.rng.pick(['{}', 'null', '"[]"', '1', 'true', `${JSON.stringify(e)}`]));
  else if (which === 1) {
    body = Buffer.from('[null,1,"x",[],{},true]');
    expect = { ...zero(), invalid: 6 };
  } else {
    const n = c.rng.range(1, 8);
    const picked = Array.from({ length: n }, () => c.rng.pick(invalidEvents));
    body = json(picked);
    expect = { ...zero(), invalid: n };
  }
  const p = predict(body);
  return {
    variant:
      which === 0
        ? `not-an-array ${body.toString().slice(0, 12)}`
        : which === 1
          ? 'array-of-non-events'
          : 'invalid-events',
    req: { headers: signedHeaders(ctx, body), body },
    signed: true,
    acceptable: p.acceptable,
    events: p.events,
    expect,
    jobIds: expect ? [] : undefined,
  };
}

const BUILDERS: Record<FuzzCategory, (c: Ctx) => Spec> = {
  'random-bytes': randomBytes,
  'truncated-json': truncatedJson,
  'malformed-json': malformedJson,
  'deep-nesting': deepNesting,
  'huge-arrays': hugeArrays,
  'wrong-types': wrongTypes,
  unicode,
  'header-tricks': headerTricks,
  'replay-altered': replayAltered,
  'stale-future': staleFuture,
  'signed-valid': signedValid,
  'signed-invalid': signedInvalid,
};

/** The category of case `index`: weighted, from the case's own stream (first draw). */
function categoryOf(rng: Rng): FuzzCategory {
  let roll = rng.int(100);
  for (const category of CATEGORIES) {
    roll -= CATEGORY_WEIGHTS[category];
    if (roll < 0) return category;
  }
  return 'signed-valid';
}

/** Case `index` of `opts.seed`, with timestamps relative to `now` (pass Date.now() just before sending). */
export function buildCase(opts: FuzzOptions, index: number, now: number): FuzzCase {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_INDEX) throw new RangeError(`case index ${index}`);
  const rng = caseRng(opts.seed, index);
  const category = categoryOf(rng);
  const spec = BUILDERS[category]({ rng, index, now, opts, portal: 0 });
  const keepAlive = spec.pipelineTwice ?? false;
  const { bytes, halfClose } = encode(spec.req, keepAlive);
  const twice = keepAlive ? Buffer.concat([bytes, encode(spec.req).bytes]) : bytes;
  return {
    index,
    category,
    variant: spec.variant,
    bytes: twice,
    halfClose,
    responses: keepAlive ? 2 : 1,
    signed: spec.signed,
    portalId: (spec.signed ? SIGNED_PORTAL_BASE : UNSIGNED_PORTAL_BASE) + index,
    acceptable: spec.acceptable,
    any4xx: spec.any4xx ?? false,
    noAnswerOk: spec.noAnswerOk ?? false,
    bodyBytes: spec.req.body.length,
    events: spec.events,
    expect: spec.expect,
    jobIds: spec.jobIds,
  };
}

/** The case a job belongs to, from the portal id in its job id; undefined when it names none. */
export function portalOwner(jobId: string): { index: number; signed: boolean } | undefined {
  const m = /^(?:msg|open|chg)-(\d{1,20})-/.exec(jobId);
  if (!m) return undefined;
  const portal = Number(m[1]);
  for (const [base, signed] of [
    [SIGNED_PORTAL_BASE, true],
    [UNSIGNED_PORTAL_BASE, false],
  ] as const) {
    const index = portal - base;
    if (Number.isSafeInteger(portal) && index >= 0 && index < MAX_INDEX) return { index, signed };
  }
  return undefined;
}
