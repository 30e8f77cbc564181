import { Redis } from 'ioredis';
import type { ChatCompletionsConfig } from '../../apps/worker/src/config/config-sections';
import { RedisKeys } from '../../libs/redis/src/redis-keys';
import { TranscriptStore, type TranscriptEntry } from '../../apps/worker/src/engines/chat-completions/transcript.store';
import { TestRedisServer } from '../support/redis-server';

const config: ChatCompletionsConfig = { transcriptRetentionSeconds: 3600 };
const ref = { portalId: '42', threadId: '7001' };
const user = (id: string, content: string): TranscriptEntry => ({
  id,
  turn: id.split(':')[0],
  message: { role: 'user', content },
  tokens: 5,
});

describe('TranscriptStore (the Chat Completions engine’s history in Redis)', () => {
  let server: TestRedisServer;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    server = await TestRedisServer.start();
    a = new Redis(server.url);
    b = new Redis(server.url);
  });
  afterAll(async () => {
    await a.quit();
    await b.quit();
    await server.destroy();
  });

  it('appends each entry id once, and a repeated append gets back what is stored (two connections)', async () => {
    const [first, second] = [new TranscriptStore(a, config), new TranscriptStore(b, config)];
    expect(await first.append(ref, [user('m1:u', 'hello')])).toEqual([user('m1:u', 'hello')]);
    // A crashed attempt's retry offers a different entry under the same id: the stored one wins.
    const again = await second.append(ref, [user('m1:u', 'hello, again'), user('m2:u', 'next')]);
    expect(again).toEqual([user('m1:u', 'hello'), user('m2:u', 'next')]);
    expect((await first.load(ref)).map((e) => e.id)).toEqual(['m1:u', 'm2:u']);
  });

  it('keeps the keys portal-scoped, in one cluster slot, and expiring with the retention', async () => {
    expect(RedisKeys.transcript({ portalId: '42', threadId: '7001' })).toBe('transcript:{42:7001}');
    expect(RedisKeys.transcriptIds({ portalId: '42', threadId: '7001' })).toBe('transcript:{42:7001}:ids');
    expect(await a.ttl(RedisKeys.transcript({ portalId: '42', threadId: '7001' }))).toBeGreaterThan(3500);
    expect(await a.ttl(RedisKeys.transcriptIds({ portalId: '42', threadId: '7001' }))).toBeGreaterThan(3500);
    expect(await new TranscriptStore(a, config).load({ portalId: '43', threadId: '7001' })).toEqual([]);
  });

  it('drops the oldest entries beyond its cap, with their ids', async () => {
    const store = new TranscriptStore(a, config);
    const other = { portalId: '42', threadId: '7002' };
    const entries = Array.from({ length: 410 }, (_, i) => user(`m${i}:u`, `text ${i}`));
    await store.append(other, entries);
    const kept = await store.load(other);
    expect(kept).toHaveLength(400);
    expect(kept[0].id).toBe('m10:u');
    expect(await a.hlen(RedisKeys.transcriptIds({ portalId: '42', threadId: '7002' }))).toBe(400);
  });
});
