import { Redis } from 'ioredis';
import request from 'supertest';
import { costDayKey, costThreadKey } from '@app/audit';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER } from '../support/api-harness';

describe('admin endpoints: params and queries validated by their DTOs', () => {
  let h: ApiHarness;
  let redis: Redis;
  const admin = (path: string) => request(h.server).get(path).auth(BOARD_USER, BOARD_PASSWORD);

  beforeAll(async () => {
    h = await ApiHarness.start();
    redis = new Redis(h.redis.url);
    await redis.hset(costThreadKey('3624100517'), { tokens: 1200, credits: 0.5, turns: 2 });
    await redis.hset(costDayKey('2026-11-21'), { tokens: 4500, credits: 3, turns: 7 });
  });
  afterAll(async () => {
    redis.disconnect();
    await h.stop();
  });

  const badRequest = (message: string) => ({ statusCode: 400, error: 'Bad Request', message });

  it.each([
    ['/admin/conversations/not-a-thread', 'threadId must be a HubSpot thread id (digits)'],
    ['/admin/conversations/123456789012345678901', 'threadId must be a HubSpot thread id (digits)'],
    ['/admin/conversations/-1', 'threadId must be a HubSpot thread id (digits)'],
    ['/admin/conversations/12%2034', 'threadId must be a HubSpot thread id (digits)'],
    ['/admin/costs?day=21.11.2026', 'day must look like 2026-11-21'],
    ['/admin/costs?day=', 'day must look like 2026-11-21'],
    ['/admin/costs?day=2026-11-21&day=2026-11-22', 'day must look like 2026-11-21'],
    ['/admin/audit/export?from=yesterday', 'from must be an ISO date or time'],
    ['/admin/audit/export?to=tomorrow', 'to must be an ISO date or time'],
    ['/admin/audit/export?from=2026-02-30', 'from must be an ISO date or time'],
    ['/admin/audit/export?from=x&to=y', 'from must be an ISO date or time; to must be an ISO date or time'],
    ['/admin/audit/export?from=2026-11-22&to=2026-11-21', 'from must not be after to'],
    ['/admin/audit/export?from=2999-01-01', 'from must not be after to'],
  ])('GET %s → 400 "%s"', async (path, message) => {
    const res = await admin(path).expect(400);
    expect(res.body).toEqual(badRequest(message));
  });

  it.each([
    ['/admin/conversations/3624100517?verbose=1', 'verbose is not an accepted parameter'],
    ['/admin/costs?date=2026-11-21', 'date is not an accepted parameter'],
    ['/admin/costs?day=2026-11-21&x=1', 'x is not an accepted parameter'],
    ['/admin/audit/export?since=2026-11-20', 'since is not an accepted parameter'],
  ])('unknown query parameter: GET %s → 400 "%s"', async (path, message) => {
    const res = await admin(path).expect(400);
    expect(res.body).toEqual(badRequest(message));
  });

  it('good requests answer as before', async () => {
    expect((await admin('/admin/conversations/3624100517').expect(200)).body).toEqual({
      threadId: '3624100517',
      totals: { tokens: 1200, credits: 0.5, turns: 2 },
      turns: [],
    });
    expect((await admin('/admin/conversations/999999999').expect(404)).body.message).toBe(
      'no audit records for thread 999999999 (none yet, or older than the retention)',
    );
    expect((await admin('/admin/costs?day=2026-11-21').expect(200)).body).toEqual({
      day: '2026-11-21',
      tokens: 4500,
      credits: 3,
      turns: 7,
    });
    const today = new Date().toISOString().slice(0, 10);
    expect((await admin('/admin/costs').expect(200)).body).toEqual({ day: today, tokens: 0, credits: 0, turns: 0 });
    for (const path of [
      '/admin/audit/export',
      '/admin/audit/export?from=',
      '/admin/audit/export?from=2026-11-20&to=2026-11-21',
      '/admin/audit/export?from=2026-11-20T10:00:00Z&to=2026-11-20T10:00:00Z',
      '/admin/audit/export?from=2026-11-20T10:00:00.000%2B02:00',
    ]) {
      const res = await admin(path).expect(200);
      expect([path, res.headers['content-type']]).toEqual([path, 'application/x-ndjson; charset=utf-8']);
      expect(res.text).toBe('');
    }
    const named = await admin('/admin/audit/export?from=2026-11-20&to=2026-11-21').expect(200);
    expect(named.headers['content-disposition']).toBe('attachment; filename="audit-2026-11-20.jsonl"');
  });

  it('validation runs after the admin auth: anonymous bad requests still get 401', async () => {
    await request(h.server).get('/admin/conversations/not-a-thread').expect(401);
    await request(h.server).get('/admin/costs?x=1').expect(401);
  });
});
