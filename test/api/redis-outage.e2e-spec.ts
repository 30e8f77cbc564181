import request from 'supertest';
import { ApiHarness, newMessageEvent, signedHeaders } from '../support/api-harness';

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

describe('Redis unavailable', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(() => h.stop());

  const post = (body: string) => request(h.server).post('/webhooks/hubspot').set(signedHeaders(body)).send(body);

  it('answers 503 quickly while Redis is down, never 200, and recovers without a restart', async () => {
    const before = newMessageEvent();
    await post(JSON.stringify([before])).expect(200);

    await h.redis.stop();
    const during = newMessageEvent();
    const started = Date.now();
    const res = await post(JSON.stringify([during]));
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('queue unavailable, retry later');
    // HubSpot gives up on a delivery after 5 s; the 503 must come well inside that.
    expect(elapsed).toBeLessThan(2500);

    const ready = await request(h.server).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.redis.status).toBe('down');
    await request(h.server).get('/health/live').expect(200);

    await h.redis.restart();
    // AOF kept the job stored before the outage; the event answered 503 was never stored.
    const stored = await eventually(
      () => post(JSON.stringify([during])),
      (r) => r.status === 200,
    );
    expect(stored.body).toEqual({ accepted: 1, duplicates: 0, ignored: 0, invalid: 0 });
    await request(h.server).get('/health/ready').expect(200);
    const ids = await h.jobIds();
    expect(ids).toHaveLength(2);
    expect(ids).toContain(`msg-22761544-${String(before.messageId)}`);
  });
});
