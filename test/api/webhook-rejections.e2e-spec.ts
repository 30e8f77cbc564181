import request from 'supertest';
import { ApiHarness, newMessageEvent, signedHeaders, TEST_SECRET } from '../support/api-harness';

describe('POST /webhooks/hubspot — rejected requests enqueue nothing', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(() => h.stop());
  afterEach(async () => {
    expect(await h.jobIds()).toEqual([]);
  });

  const body = () => JSON.stringify([newMessageEvent()]);
  const post = () => request(h.server).post('/webhooks/hubspot');

  it('401 for a bad signature', async () => {
    const b = body();
    const res = await post()
      .set({ ...signedHeaders(b), 'x-hubspot-signature-v3': signedHeaders('other')['x-hubspot-signature-v3'] })
      .send(b)
      .expect(401);
    expect(res.body.message).toBe('signature rejected: bad-signature');
  });

  it('401 for a body altered after signing', async () => {
    const b = body();
    await post().set(signedHeaders(b)).send(b.replace('MESSAGE', 'MESSAGF')).expect(401);
  });

  it('401 for the wrong secret', async () => {
    const b = body();
    await post()
      .set(signedHeaders(b, Date.now(), `${TEST_SECRET}-old`))
      .send(b)
      .expect(401);
  });

  it('401 without signature headers', async () => {
    const b = body();
    await post().set('content-type', 'application/json').send(b).expect(401);
    await post()
      .set({ ...signedHeaders(b), 'x-hubspot-request-timestamp': '' })
      .send(b)
      .expect(401);
  });

  it('401 for a stale or future timestamp, even when correctly signed', async () => {
    const b = body();
    const stale = await post()
      .set(signedHeaders(b, Date.now() - 6 * 60_000))
      .send(b)
      .expect(401);
    expect(stale.body.message).toBe('signature rejected: stale-timestamp');
    await post()
      .set(signedHeaders(b, Date.now() + 6 * 60_000))
      .send(b)
      .expect(401);
  });

  it('401 before parsing: unsigned garbage is not parsed', async () => {
    await post().set('content-type', 'application/json').send('{not json').expect(401);
  });

  it.each([
    ['not JSON', '{"a": ', 'body is not valid JSON'],
    ['a JSON object', '{"subscriptionType":"conversation.newMessage"}', 'body must be a JSON array of events'],
    ['a JSON string', '"[]"', 'body must be a JSON array of events'],
    ['empty', '', 'body is empty'],
  ])('400 for a signed body that is %s', async (_name, raw, message) => {
    const res = await post().set(signedHeaders(raw)).send(raw).expect(400);
    expect(res.body.message).toBe(message);
  });

  it('400 for deeply nested signed JSON, never a 500', async () => {
    const raw = '['.repeat(200_000) + ']'.repeat(200_000);
    const res = await post().set(signedHeaders(raw)).send(raw);
    expect([200, 400]).toContain(res.status);
  });

  it('413 for a body over 1 MiB', async () => {
    const raw = JSON.stringify([newMessageEvent({ pad: 'x'.repeat(1024 * 1024) })]);
    await post().set(signedHeaders(raw)).send(raw).expect(413);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('415 for %s', async (type) => {
    const b = body();
    await post()
      .set({ ...signedHeaders(b), 'content-type': type })
      .send(b)
      .expect(415);
  });

  it('415 without a content type', async () => {
    const b = body();
    const headers: Record<string, string> = { ...signedHeaders(b) };
    delete headers['content-type'];
    await post().set(headers).send(Buffer.from(b)).expect(415);
  });

  it('404 for GET', async () => {
    await request(h.server).get('/webhooks/hubspot').expect(404);
  });
});
