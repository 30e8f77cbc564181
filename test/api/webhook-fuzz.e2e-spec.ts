import { Redis } from 'ioredis';
import request from 'supertest';
import * as cases from '../fuzz/webhook-fuzz-cases';
import { auditJobs, FuzzTally, QUEUE_KEYS, runCases, scanJobIds, statusLine } from '../fuzz/webhook-fuzz-client';
import { ApiHarness, TEST_SECRET, TEST_WEBHOOK_URL } from '../support/api-harness';

// The small, fixed version of `npm run fuzz:webhook` (bench/webhook-fuzz.ts): same generator, same
// judge, the real app in-process, Redis up throughout.
const SEED = 20261121;
const CASES = 600;

describe('POST /webhooks/hubspot — fuzz (600 seeded cases)', () => {
  let h: ApiHarness;
  let port: number;

  beforeAll(async () => {
    h = await ApiHarness.start();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.server.address() as { port: number }).port;
  });
  afterAll(() => h.stop());

  it('answers every case correctly, never 5xx, and creates jobs only from authentic requests', async () => {
    const tally = new FuzzTally();
    const opts = { seed: SEED, secret: TEST_SECRET, webhookUrl: TEST_WEBHOOK_URL };
    await runCases({ cases, opts, port, from: 0, to: CASES, concurrency: 8, timeoutMs: 10_000, tally });

    const summary = [...tally.byCategory].map(([category, t]) => `${category}: ${statusLine(t.statuses)}`);
    expect(tally.byCategory.size).toBe(cases.CATEGORIES.length);
    expect({ fiveXX: tally.fiveXX, problems: tally.problems }).toEqual({ fiveXX: 0, problems: [] });

    const redis = new Redis(h.redis.url, { maxRetriesPerRequest: 1 });
    const ids = await scanJobIds((cursor) => redis.scan(cursor, 'MATCH', QUEUE_KEYS, 'COUNT', 1000)).finally(() =>
      redis.disconnect(),
    );
    const audit = auditJobs(ids, tally, cases);
    expect({ ...audit, fromSigned: undefined }).toEqual({
      total: audit.fromSigned,
      fromSigned: undefined,
      fromUnsigned: [],
      unattributed: [],
      missing: [],
    });
    // The authentic share really was accepted (the check above is not vacuous).
    expect(audit.fromSigned).toBeGreaterThan(100);
    expect(tally.acknowledged.size).toBeGreaterThan(100);
    expect(summary.join('\n')).toMatch(/401/);

    await request(h.server).get('/health/ready').expect(200);
  });
});
