import { rm, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisKeys } from '../../libs/redis/src/redis-keys';
import { FakeOpenAI } from '../fakes/openai.fake';
import { copyOfExamples, knowledgeCli, STORES, syncCounts } from '../support/knowledge';
import { TestRedisServer } from '../support/redis-server';

const OPENAI_KEY = 'sk-test-knowledge';

describe.each(STORES)('knowledge command on the %s store', (store) => {
  let redis: TestRedisServer;
  let openai: FakeOpenAI;
  let env: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    [redis, openai] = await Promise.all([TestRedisServer.start(), new FakeOpenAI({ apiKey: OPENAI_KEY }).start()]);
    env = {
      REDIS_URL: redis.url,
      LOG_LEVEL: 'silent',
      KNOWLEDGE_STORE: store,
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${openai.url}/v1`,
    };
    dir = await copyOfExamples();
  });
  afterAll(async () => {
    await redis.destroy();
    await openai.stop();
  });

  const uploads = () => openai.received('POST', '/v1/files').length;

  it('syncs the example folder, then an unchanged re-sync uploads and indexes nothing', async () => {
    const first = await knowledgeCli(env, 'sync', dir);
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(syncCounts(first)).toEqual({ added: 7, replaced: 0, unchanged: 0, removed: 0, failed: 0 });
    if (store === 'openai') {
      expect(uploads()).toBe(7);
      // No KNOWLEDGE_VECTOR_STORE_ID: the sync created a store and kept its id for the workers.
      const [vs] = openai.vectorStores.stores.values();
      const client = new Redis(redis.url);
      expect(await client.get(RedisKeys.knowledgeVectorStore())).toBe(vs.id);
      client.disconnect();
      expect(first.out.at(-1)).toContain(`OpenAI vector store ${vs.id}; set KNOWLEDGE_VECTOR_STORE_ID=${vs.id}`);
      const attributes = [...vs.files.values()].map((f) => f.attributes).find((a) => a.source === 'en/delivery.md');
      expect(attributes).toEqual({
        source: 'en/delivery.md',
        title: 'Delivery times and costs',
        source_url: 'https://help.lumora.example/en/delivery',
        language: 'en',
        profile: '*',
        content_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
    const version = await indexVersion();

    const again = await knowledgeCli(env, 'sync', dir);
    expect(syncCounts(again)).toEqual({ added: 0, replaced: 0, unchanged: 7, removed: 0, failed: 0 });
    expect(uploads()).toBe(store === 'openai' ? 7 : 0);
    expect(await indexVersion()).toBe(version);
  });

  it('finds what the assistant would find, in English and in Romanian without diacritics', async () => {
    const en = await knowledgeCli(env, 'search', 'How long does delivery take in Romania?');
    expect(en.code).toBe(0);
    expect(en.out.join('\n')).toContain('Delivery times and costs (https://help.lumora.example/en/delivery)');
    expect(en.out.join('\n')).toContain('2–3 business days');
    const ro = await knowledgeCli(env, 'search', 'cat dureaza livrarea in romania');
    expect(ro.out[0]).toContain('Livrare și costuri de transport (https://help.lumora.example/ro/livrare)');
    const none = await knowledgeCli(env, 'search', 'Do you sell spaceships to Mars?');
    expect(none.out).toEqual([expect.stringContaining('nothing relevant')]);
  });

  it('replaces an edited file, deletes a removed one, and lists what is stored', async () => {
    const delivery = path.join(dir, 'en/delivery.md');
    await writeFile(delivery, (await readFile(delivery, 'utf8')).replace('2–3 business days', '1–2 business days'));
    await rm(path.join(dir, 'en/returns.html'));
    const before = uploads();
    const run = await knowledgeCli(env, 'sync', dir);
    expect(syncCounts(run)).toEqual({ added: 0, replaced: 1, unchanged: 5, removed: 1, failed: 0 });
    expect(run.out).toEqual(expect.arrayContaining(['  replaced  en/delivery.md', '  removed   en/returns.html']));
    expect(uploads() - before).toBe(store === 'openai' ? 1 : 0);
    if (store === 'openai') {
      // The old version's file is deleted, not only detached.
      expect(openai.vectorStores.files.size).toBe(6);
    }
    const found = (await knowledgeCli(env, 'search', 'How long does delivery take in Romania?')).out.join('\n');
    expect(found).toContain('1–2 business days');
    expect(found).not.toContain('2–3 business days');
    expect((await knowledgeCli(env, 'search', 'return a product refund')).out.join('\n')).not.toContain('returns');

    const list = await knowledgeCli(env, 'list');
    expect(list.out[0]).toMatch(/^6 document\(s\) in /);
    expect(list.out.join('\n')).not.toContain('en/returns.html');
    expect(list.out.join('\n')).toContain('en/kettle-manual.pdf  "AquaBoil kettle: descaling"');
  });

  it('reports bad files one by one and goes on with the rest (exit 2)', async () => {
    await writeFile(path.join(dir, 'en/broken.pdf'), 'this is not a PDF');
    await writeFile(path.join(dir, 'en/slides.pptx'), 'x');
    await writeFile(path.join(dir, 'en/huge.md'), `# Huge\n\n${'x '.repeat(11 * 1024 * 1024)}`);
    await writeFile(path.join(dir, 'en/new.md'), '---\ntitle: Gift cards\n---\nGift cards are valid for 12 months.');
    if (store === 'openai')
      openai.vectorStores.failFiles('new.md', { code: 'server_error', message: 'processing failed' });
    const run = await knowledgeCli({ ...env, KNOWLEDGE_MAX_FILE_MB: '10' }, 'sync', dir);
    expect(run.code).toBe(2);
    const failed = run.out.filter((l) => l.startsWith('  FAILED'));
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}FAILED {4}en\/broken\.pdf: unreadable: /),
        '  FAILED    en/slides.pptx: unsupported file type (.pptx)',
        expect.stringMatching(/^ {2}FAILED {4}en\/huge\.md: too large \(22 MB; the limit is 10 MB\)/),
      ]),
    );
    if (store === 'openai') {
      // OpenAI could not process it: reported with its last_error, its uploaded file deleted.
      expect(failed).toContain('  FAILED    en/new.md: server_error: processing failed');
      expect(syncCounts(run)).toMatchObject({ added: 0, unchanged: 6, failed: 4 });
      expect([...openai.vectorStores.files.values()].map((f) => f.filename)).not.toContain('new.md');
    } else {
      expect(syncCounts(run)).toMatchObject({ added: 1, unchanged: 6, failed: 3 });
    }
  });

  it('removes one document by its source; an unknown source exits 1', async () => {
    const removed = await knowledgeCli(env, 'remove', 'ro/program.md');
    expect(removed).toMatchObject({ code: 0, out: ['removed ro/program.md'] });
    expect((await knowledgeCli(env, 'list')).out.join('\n')).not.toContain('ro/program.md');
    expect((await knowledgeCli(env, 'remove', 'ro/program.md')).code).toBe(1);
    expect((await knowledgeCli(env, 'nonsense')).code).toBe(64);
  });

  async function indexVersion(): Promise<string | null> {
    const client = new Redis(redis.url);
    try {
      return await client.get(RedisKeys.knowledgeIndexVersion());
    } finally {
      client.disconnect();
    }
  }
});
