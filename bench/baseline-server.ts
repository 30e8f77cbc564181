/**
 * Baseline for bench/ingest.bench.ts: the least an ingest endpoint can do, on plain node:http.
 * Raw body, HubSpot v3 HMAC check (timingSafeEqual), JSON.parse, one `queue.addBulk` per request
 * with the api's job names, payloads, deterministic ids and default job options; 200 with counts.
 *
 * Run by the benchmark as a child process (Node's type stripping):
 *   PORT=… REDIS_URL=… HUBSPOT_CLIENT_SECRET=… HUBSPOT_WEBHOOK_URL=… node bench/baseline-server.ts
 * Self-contained on purpose: the `@app/*` aliases do not resolve under type stripping.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const QUEUE = 'hubspot-events'; // libs/contracts/src/queues.ts
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SKEW_MS = 5 * 60 * 1000;

const port = Number(process.env.PORT ?? 3100);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const secret = process.env.HUBSPOT_CLIENT_SECRET ?? '';
const webhookUrl = process.env.HUBSPOT_WEBHOOK_URL ?? '';
if (!secret || !webhookUrl) {
  console.error('HUBSPOT_CLIENT_SECRET and HUBSPOT_WEBHOOK_URL are required');
  process.exit(2);
}

// The api's producer connection settings (libs/redis) and default job options (ingest.module.ts).
const connection = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000 });
connection.on('error', (err: Error) => console.error(`redis: ${err.message}`));
const queue = new Queue(QUEUE, {
  connection,
  defaultJobOptions: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnComplete: { age: 48 * 3600, count: 100_000 },
    removeOnFail: { age: 30 * 86_400 },
  },
});

const signaturePrefix = 'POST' + webhookUrl;

function signatureValid(body: Buffer, signature: unknown, timestamp: unknown): boolean {
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^\d{1,15}$/.test(timestamp)) return false;
  if (Math.abs(Date.now() - Number(timestamp)) > MAX_SKEW_MS) return false;
  const expected = createHmac('sha256', secret)
    .update(signaturePrefix, 'utf8')
    .update(body)
    .update(timestamp, 'utf8')
    .digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface Job {
  name: string;
  data: { portalId: string; threadId: string; messageId: string; occurredAt: number; attemptNumber: number };
  opts: { jobId: string };
}

/** conversation.newMessage / MESSAGE events only: enough for the benchmark's payloads. */
function toJobs(events: unknown[]): { jobs: Job[]; ignored: number } {
  const jobs: Job[] = [];
  let ignored = 0;
  for (const raw of events) {
    const e = raw as Record<string, unknown>;
    if (
      e?.subscriptionType !== 'conversation.newMessage' ||
      e.messageType !== 'MESSAGE' ||
      typeof e.messageId !== 'string'
    ) {
      ignored++;
      continue;
    }
    const data = {
      portalId: String(e.portalId),
      threadId: String(e.objectId),
      messageId: e.messageId,
      occurredAt: Number(e.occurredAt),
      attemptNumber: Number(e.attemptNumber ?? 0),
    };
    // messageJobId() in libs/contracts/src/job-ids.ts
    jobs.push({ name: 'message.received', data, opts: { jobId: `msg-${data.portalId}-${data.messageId}` } });
  }
  return { jobs, ignored };
}

function reply(res: ServerResponse, status: number, body: object): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/webhooks/hubspot') return reply(res, 404, { message: 'not found' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return reply(res, 413, { message: 'body too large' });
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks, size);
  if (!signatureValid(body, req.headers['x-hubspot-signature-v3'], req.headers['x-hubspot-request-timestamp'])) {
    return reply(res, 401, { message: 'signature rejected' });
  }
  let events: unknown;
  try {
    events = JSON.parse(body.toString('utf8'));
  } catch {
    return reply(res, 400, { message: 'body is not valid JSON' });
  }
  if (!Array.isArray(events)) return reply(res, 400, { message: 'body must be a JSON array of events' });
  const { jobs, ignored } = toJobs(events);
  try {
    if (jobs.length > 0) await queue.addBulk(jobs);
  } catch {
    return reply(res, 503, { message: 'queue unavailable, retry later' });
  }
  reply(res, 200, { accepted: jobs.length, ignored });
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    console.error(err);
    if (!res.headersSent) reply(res, 500, { message: 'internal error' });
  });
});
server.keepAliveTimeout = 72_000;

connection.once('ready', () => {
  server.listen(port, '127.0.0.1', () => console.log(`baseline listening on ${port}`));
});

const stop = () => {
  server.close();
  void queue.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
