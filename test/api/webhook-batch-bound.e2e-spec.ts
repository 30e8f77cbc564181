import request from 'supertest';
import { ApiHarness, newMessageEvent, signedHeaders } from '../support/api-harness';

describe('POST /webhooks/hubspot — a signed batch has at most WEBHOOK_MAX_EVENTS events', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(() => h.stop());
  beforeEach(() => h.queue.obliterate({ force: true }));

  const post = (count: number) => {
    const body = JSON.stringify(Array.from({ length: count }, () => newMessageEvent()));
    return request(h.server).post('/webhooks/hubspot').set(signedHeaders(body)).send(body);
  };

  it('accepts 100 events (the default limit)', async () => {
    const res = await post(100).expect(200);
    expect(res.body.accepted).toBe(100);
    expect(await h.jobIds()).toHaveLength(100);
  });

  it('refuses 101 with 413 naming the limit, and enqueues nothing', async () => {
    const res = await post(101).expect(413);
    expect(res.body.message).toBe('batch has 101 events; at most 100 per request (WEBHOOK_MAX_EVENTS)');
    expect(await h.jobIds()).toEqual([]);
  });

  it('refuses the 725 KB, 5,500-event request that once became 5,500 jobs', async () => {
    // The reported request: small events (ids only), 5,500 of them in about 725 KB.
    const event = (i: number) => ({
      portalId: 1,
      objectId: 1000 + i,
      occurredAt: 1,
      subscriptionType: 'conversation.newMessage',
      messageType: 'MESSAGE',
      messageId: `m${i}`,
    });
    const body = JSON.stringify(Array.from({ length: 5500 }, (_, i) => event(i)));
    expect(body.length).toBeGreaterThan(600_000);
    expect(body.length).toBeLessThan(1024 * 1024);
    await request(h.server).post('/webhooks/hubspot').set(signedHeaders(body)).send(body).expect(413);
    expect(await h.jobIds()).toEqual([]);
  });
});

describe('WEBHOOK_MAX_EVENTS is configurable', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start({ WEBHOOK_MAX_EVENTS: '3' });
  });
  afterAll(() => h.stop());

  it('3 pass, 4 are refused', async () => {
    const send = (n: number) => {
      const body = JSON.stringify(Array.from({ length: n }, () => newMessageEvent()));
      return request(h.server).post('/webhooks/hubspot').set(signedHeaders(body)).send(body);
    };
    await send(3).expect(200);
    await send(4).expect(413);
  });
});
