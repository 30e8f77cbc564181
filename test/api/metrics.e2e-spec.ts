import request from 'supertest';
import { ApiHarness, BOARD_PASSWORD, newMessageEvent, signedHeaders, TEST_SECRET } from '../support/api-harness';
import { MetricsSnapshot } from '../support/prometheus-text';

const REQUESTS = 'chat_assistant_webhook_requests_total';
const EVENTS = 'chat_assistant_webhook_events_total';
const DURATION_COUNT = 'chat_assistant_webhook_request_duration_seconds_count';

describe('api GET /metrics', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(() => h.stop());

  const scrape = async () => {
    const res = await request(h.server).get('/metrics').expect(200);
    return new MetricsSnapshot(res.text);
  };
  const post = (body: string, headers: Record<string, string> = signedHeaders(body)) =>
    request(h.server).post('/webhooks/hubspot').set(headers).send(body);

  it('serves the Prometheus text format without authentication, with process metrics', async () => {
    const res = await request(h.server).get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const m = new MetricsSnapshot(res.text);
    expect(m.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(m.value('nodejs_eventloop_lag_seconds')).toBeDefined();
    expect(res.text).toContain(`# TYPE ${REQUESTS} counter`);
    expect(res.text).toContain('# TYPE chat_assistant_webhook_request_duration_seconds histogram');
    // Every status and outcome is there from boot, at 0, so rate() and alerts see the first one.
    for (const status of ['200', '400', '401', '413', '415', '503']) expect(m.value(REQUESTS, { status })).toBe(0);
    for (const outcome of ['accepted', 'duplicate', 'ignored', 'invalid']) expect(m.value(EVENTS, { outcome })).toBe(0);
  });

  it('counts events by outcome: accepted, duplicate, ignored, invalid', async () => {
    const before = await scrape();
    const message = newMessageEvent();
    const first = JSON.stringify([
      message,
      newMessageEvent(),
      newMessageEvent({ messageType: 'COMMENT' }),
      newMessageEvent({ messageId: undefined }),
    ]);
    expect((await post(first)).body).toEqual({ accepted: 2, duplicates: 0, ignored: 1, invalid: 1 });
    // A redelivery of the first message, an ignored subscription and two more invalid events.
    const second = JSON.stringify([
      { ...message, attemptNumber: 1 },
      { ...newMessageEvent(), subscriptionType: 'contact.creation' },
      42,
      null,
    ]);
    expect((await post(second)).body).toEqual({ accepted: 0, duplicates: 1, ignored: 1, invalid: 2 });

    const after = await scrape();
    expect(after.delta(before, EVENTS, { outcome: 'accepted' })).toBe(2);
    expect(after.delta(before, EVENTS, { outcome: 'duplicate' })).toBe(1);
    expect(after.delta(before, EVENTS, { outcome: 'ignored' })).toBe(2);
    expect(after.delta(before, EVENTS, { outcome: 'invalid' })).toBe(3);
    expect(after.delta(before, REQUESTS, { status: '200' })).toBe(2);
    expect(after.delta(before, DURATION_COUNT, { status: '200' })).toBe(2);
    expect(after.sum(REQUESTS) - before.sum(REQUESTS)).toBe(2);
  });

  it('counts rejected requests by status (401, 400, 413, 415), with no events counted', async () => {
    const before = await scrape();
    const body = JSON.stringify([newMessageEvent()]);
    await post(body, signedHeaders(body, Date.now(), `${TEST_SECRET}-wrong`)).expect(401);
    await post(body, { 'content-type': 'application/json' }).expect(401);
    await post('{"a": ').expect(400);
    await post('{}').expect(400);
    await post('').expect(400);
    const big = JSON.stringify([newMessageEvent({ pad: 'x'.repeat(1024 * 1024) })]);
    await post(big).expect(413);
    await post(body, { ...signedHeaders(body), 'content-type': 'text/plain' }).expect(415);
    // Other routes are not webhook requests.
    await request(h.server).get('/webhooks/hubspot').expect(404);
    await request(h.server).get('/health/live').expect(200);

    const after = await scrape();
    expect(after.delta(before, REQUESTS, { status: '401' })).toBe(2);
    expect(after.delta(before, REQUESTS, { status: '400' })).toBe(3);
    expect(after.delta(before, REQUESTS, { status: '413' })).toBe(1);
    expect(after.delta(before, REQUESTS, { status: '415' })).toBe(1);
    expect(after.sum(REQUESTS) - before.sum(REQUESTS)).toBe(7);
    expect(after.delta(before, DURATION_COUNT, { status: '401' })).toBe(2);
    expect(after.sum(EVENTS) - before.sum(EVENTS)).toBe(0);
  });

  it('counts 503 while Redis is down, and no events for it', async () => {
    const before = await scrape();
    await h.redis.stop();
    try {
      const body = JSON.stringify([newMessageEvent()]);
      await post(body).expect(503);
      const after = await scrape();
      expect(after.delta(before, REQUESTS, { status: '503' })).toBe(1);
      expect(after.sum(EVENTS) - before.sum(EVENTS)).toBe(0);
    } finally {
      await h.redis.restart();
      // Leave every connection up again (a pending reconnect timer would outlive the file).
      const again = JSON.stringify([newMessageEvent()]);
      for (let i = 0; i < 100 && (await post(again)).status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await h.jobIds();
    }
  });

  it('reveals none of the configured secrets', async () => {
    const res = await request(h.server).get('/metrics').expect(200);
    for (const secret of [TEST_SECRET, BOARD_PASSWORD, h.config.hubspot.webhookUrl, h.redis.url]) {
      expect(res.text).not.toContain(secret);
    }
  });
});
