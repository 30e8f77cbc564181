import { AirtableMappingStore } from '../../apps/worker/src/mapping/airtable-mapping.store';
import { UpstreamError } from '../../apps/worker/src/errors/upstream.error';
import { FakeAirtable } from '../fakes/airtable.fake';

/** The store keys on the thread id alone (Airtable's table has no portal column). */
const ref = (threadId: string) => ({ portalId: '1', threadId });

describe('AirtableMappingStore (airtable SDK against the fake)', () => {
  const airtable = new FakeAirtable({ penaltyMs: 200 });
  let store: AirtableMappingStore;
  const config = (apiKey: string) => ({
    apiKey,
    baseId: 'appMap',
    table: 'Conversations',
    threadField: 'Hubspot Thread ID',
    conversationField: 'OpenAI Thread ID',
    endpointUrl: airtable.url,
    requestsPerSecond: 5,
  });

  beforeAll(async () => {
    await airtable.start();
    airtable.createBase('appMap', { Conversations: ['Hubspot Thread ID', 'OpenAI Thread ID'] });
    store = new AirtableMappingStore(config(airtable.tokenFor(['appMap'])));
  });
  afterAll(() => airtable.stop());
  beforeEach(() => airtable.resetRateLimits());

  it('upserts on the thread id: saving twice leaves one row with the latest conversation', async () => {
    await store.save(ref('3624100517'), 'conv_a');
    await store.save(ref('3624100517'), 'conv_b');
    expect(airtable.records('appMap', 'Conversations').map((r) => r.fields)).toEqual([
      { 'Hubspot Thread ID': '3624100517', 'OpenAI Thread ID': 'conv_b' },
    ]);
    expect(await store.find(ref('3624100517'))).toBe('conv_b');
    expect(await store.find(ref('999'))).toBeUndefined();
  });

  it("escapes the value in the formula (a thread id can't break out of the string)", async () => {
    expect(await store.find(ref("1' OR TRUE() OR '"))).toBeUndefined();
  });

  it('maps a 429 to a retryable error that waits 30 s', async () => {
    const errors: unknown[] = [];
    for (let i = 0; i < 7; i++) await store.find(ref('x')).catch((e: unknown) => errors.push(e));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(UpstreamError);
    expect(errors[0]).toMatchObject({ retryable: true, status: 429, retryAfterMs: 30_000 });
  });

  it('maps a bad token to a permanent error', async () => {
    const bad = new AirtableMappingStore(config('pat-wrong-token'));
    await expect(bad.find(ref('1'))).rejects.toMatchObject({ retryable: false, status: 401 });
  });
});
