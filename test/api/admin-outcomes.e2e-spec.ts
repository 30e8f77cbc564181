import { Redis } from 'ioredis';
import request from 'supertest';
import type { ConversationOutcomeRecord, OutcomeReport } from '@app/audit';
import { RedisKeys } from '@app/redis';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER } from '../support/api-harness';

const PORTAL = '1234567';
function outcome(threadId: string, patch: Partial<ConversationOutcomeRecord>): ConversationOutcomeRecord {
  return {
    version: 1,
    portalId: PORTAL,
    threadId,
    outcome: 'resolved',
    profile: 'support',
    language: 'en',
    startedAt: '2026-12-01T10:00:00.000Z',
    lastActivityAt: '2026-12-01T10:05:00.000Z',
    decidedAt: '2026-12-02T10:05:00.000Z',
    turns: 2,
    answers: 2,
    feedback: { helped: 0, moreHelp: 0 },
    tokens: 1000,
    credits: 0,
    ...patch,
  };
}

// GET /admin/outcomes reads what the worker's outcome job writes (records and the per-portal index;
// the worker side is test/e2e/conversation-outcomes.e2e-spec.ts): filters, per-day aggregates.
describe('GET /admin/outcomes', () => {
  let h: ApiHarness;
  let redis: Redis;
  const admin = (path: string) => request(h.server).get(path).auth(BOARD_USER, BOARD_PASSWORD);
  const RECORDS = [
    outcome('101', { tokens: 1000, credits: 0.2, feedback: { helped: 1, moreHelp: 0 } }),
    outcome('102', { tokens: 3000, language: 'ro' }),
    outcome('103', { outcome: 'handed_off', category: 'visitor_request', feedback: { helped: 0, moreHelp: 1 } }),
    outcome('104', { outcome: 'abandoned', profile: 'contacts', startedAt: '2026-12-02T09:00:00.000Z' }),
    outcome('105', { outcome: 'handed_off', category: 'cost_cap', startedAt: '2026-12-02T11:00:00.000Z' }),
    // Outside the range asked below.
    outcome('106', { startedAt: '2026-11-20T10:00:00.000Z' }),
  ];

  beforeAll(async () => {
    h = await ApiHarness.start();
    redis = new Redis(h.redis.url);
    await redis.sadd(RedisKeys.outcomePortals(), PORTAL);
    for (const r of RECORDS) {
      await redis.set(RedisKeys.outcomeRecord(r), JSON.stringify(r));
      await redis.zadd(RedisKeys.outcomeIndex(PORTAL), Date.parse(r.startedAt), r.threadId);
    }
  });
  afterAll(async () => {
    redis.disconnect();
    await h.stop();
  });

  it('lists the range newest first, with per-day and total resolution rate, CSAT and cost per resolved', async () => {
    const res = await admin('/admin/outcomes?from=2026-12-01&to=2026-12-03').expect(200);
    const report = res.body as OutcomeReport;
    expect(report.total).toBe(5);
    expect(report.conversations.map((c) => c.threadId)).toEqual(['105', '104', '103', '102', '101']);
    expect(report.days.map((d) => [d.day, d.conversations, d.resolutionRate])).toEqual([
      ['2026-12-01', 3, 0.6667],
      ['2026-12-02', 2, 0],
    ]);
    expect(report.totals).toMatchObject({
      conversations: 5,
      byOutcome: { resolved: 2, handed_off: 2, abandoned: 1 },
      byCategory: { visitor_request: 1, cost_cap: 1, model_decision: 0 },
      resolutionRate: 0.4,
      feedback: { helped: 1, moreHelp: 1 },
      csat: 0.5,
      resolvedTokens: 4000,
      tokensPerResolved: 2000,
      creditsPerResolved: 0.1,
    });
  });

  it('filters by outcome, profile and language; limit bounds the list, not the aggregates', async () => {
    const range = 'from=2026-12-01&to=2026-12-03';
    const handed = (await admin(`/admin/outcomes?${range}&outcome=handed_off`).expect(200)).body as OutcomeReport;
    expect(handed.conversations.map((c) => [c.threadId, c.category])).toEqual([
      ['105', 'cost_cap'],
      ['103', 'visitor_request'],
    ]);
    const contacts = (await admin(`/admin/outcomes?${range}&profile=contacts`).expect(200)).body as OutcomeReport;
    expect(contacts.conversations.map((c) => c.threadId)).toEqual(['104']);
    const ro = (await admin(`/admin/outcomes?${range}&language=ro`).expect(200)).body as OutcomeReport;
    expect(ro.conversations.map((c) => c.threadId)).toEqual(['102']);
    const one = (await admin(`/admin/outcomes?${range}&limit=1`).expect(200)).body as OutcomeReport;
    expect([one.total, one.conversations.length, one.totals.conversations]).toEqual([5, 1, 5]);
  });

  it('denies without credentials and refuses bad filters', async () => {
    await request(h.server).get('/admin/outcomes').expect(401);
    for (const [query, message] of [
      ['outcome=solved', 'outcome must be one of resolved, handed_off, abandoned'],
      ['from=yesterday', 'from must be an ISO date or time'],
      ['from=2026-12-03&to=2026-12-01', 'from must not be after to'],
      ['limit=0', 'limit must be between 1 and 1000'],
      ['language=english', 'language must be a two-letter language code'],
      ['thread=1', 'thread is not an accepted parameter'],
    ]) {
      const res = await admin(`/admin/outcomes?${query}`).expect(400);
      expect(res.body.message).toBe(message);
    }
  });
});
