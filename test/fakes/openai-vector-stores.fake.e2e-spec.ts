import OpenAI, { toFile, type APIError } from 'openai';
import { FakeOpenAI } from './openai.fake';

async function rejectionOf(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (err) {
    return err as APIError;
  }
  throw new Error('expected the call to fail');
}

describe('FakeOpenAI: files, vector stores, file batches and search, through the real SDK', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;
  beforeAll(async () => {
    fake = await new FakeOpenAI({ apiKey: 'sk-test' }).start();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${fake.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const upload = async (name: string, text: string) =>
    client.files.create({ file: await toFile(Buffer.from(text), name, { type: 'text/plain' }), purpose: 'assistants' });

  it('uploads, attaches a batch with per-file attributes (in_progress → completed; a failed file has last_error) and searches', async () => {
    fake.vectorStores.failFiles('broken.txt', { code: 'unsupported_file', message: 'The file type is not supported.' });
    const store = await client.vectorStores.create({ name: 'kb' });
    const a = await upload(
      'delivery.md',
      'Delivery takes 2–3 business days.\n\nShipping to the Netherlands costs 9.95 euro.',
    );
    const b = await upload('hours.md', 'The showroom opens at 09:00 on weekdays.');
    const c = await upload('broken.txt', 'whatever');
    expect(a).toMatchObject({ object: 'file', filename: 'delivery.md', purpose: 'assistants' });

    const created = await client.vectorStores.fileBatches.create(store.id, {
      files: [
        { file_id: a.id, attributes: { source: 'en/delivery.md', language: 'en', profile: '*' } },
        { file_id: b.id, attributes: { source: 'en/hours.md', language: 'en', profile: 'staff' } },
        { file_id: c.id, attributes: { source: 'broken.txt' } },
      ],
    });
    expect(created.status).toBe('in_progress');
    const batch = await client.vectorStores.fileBatches.poll(store.id, created.id);
    expect(batch.status).toBe('completed');
    expect(batch.file_counts).toMatchObject({ completed: 2, failed: 1, in_progress: 0, total: 3 });
    // The SDK polled past in_progress, following the server's poll-after header.
    expect(fake.received('GET', `/v1/vector_stores/${store.id}/file_batches/${created.id}`).length).toBeGreaterThan(1);
    const failed = [];
    for await (const f of client.vectorStores.fileBatches.listFiles(created.id, {
      vector_store_id: store.id,
      filter: 'failed',
    })) {
      failed.push(f);
    }
    expect(failed).toEqual([
      expect.objectContaining({
        id: c.id,
        status: 'failed',
        last_error: expect.objectContaining({ code: 'unsupported_file' }),
      }),
    ]);

    const page = await client.vectorStores.search(store.id, {
      query: 'How long does delivery take?',
      max_num_results: 5,
      ranking_options: { score_threshold: 0.3 },
      filters: {
        type: 'or',
        filters: [
          { type: 'eq', key: 'profile', value: 'support' },
          { type: 'eq', key: 'profile', value: '*' },
        ],
      },
    });
    expect(page.data).toEqual([
      expect.objectContaining({
        file_id: a.id,
        filename: 'delivery.md',
        attributes: expect.objectContaining({ source: 'en/delivery.md' }),
        content: [{ type: 'text', text: 'Delivery takes 2–3 business days.' }],
      }),
    ]);
    expect(page.data[0].score).toBeGreaterThan(0.3);
    expect(page.data[0].score).toBeLessThanOrEqual(1);

    // Deleting the file removes it from the store too.
    await client.files.delete(a.id);
    const listed = [];
    for await (const f of client.vectorStores.files.list(store.id)) listed.push(f.id);
    expect(listed.sort()).toEqual([b.id, c.id].sort());
    expect((await client.vectorStores.search(store.id, { query: 'delivery days' })).data).toEqual([]);
  });

  it('refuses what OpenAI refuses: attributes over the limits, unknown files, both files and file_ids, bad search sizes', async () => {
    const store = await client.vectorStores.create({ name: 'kb' });
    const a = await upload('a.md', 'text');
    const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    for (const attributes of [tooMany, { title: 'x'.repeat(513) }, { ['k'.repeat(65)]: 'v' }]) {
      const err = await rejectionOf(
        client.vectorStores.fileBatches.create(store.id, { files: [{ file_id: a.id, attributes }] }),
      );
      expect(err.status).toBe(400);
      expect(err.param).toBe('attributes');
    }
    expect(
      (await rejectionOf(client.vectorStores.fileBatches.create(store.id, { file_ids: ['file_nope'] }))).status,
    ).toBe(404);
    const both = await rejectionOf(
      client.vectorStores.fileBatches.create(store.id, { file_ids: [a.id], files: [{ file_id: a.id }] }),
    );
    expect(both.status).toBe(400);
    const big = await rejectionOf(client.vectorStores.search(store.id, { query: 'x', max_num_results: 51 }));
    expect(big.param).toBe('max_num_results');
    expect((await rejectionOf(client.files.delete('file_nope'))).status).toBe(404);
    const noPurpose = await rejectionOf(
      client.files.create({ file: await toFile(Buffer.from('x'), 'x.md'), purpose: 'nope' as 'assistants' }),
    );
    expect(noPurpose.param).toBe('purpose');
  });
});
