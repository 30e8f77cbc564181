import { Redis } from 'ioredis';
import { RedisMappingStore } from '../../apps/worker/src/mapping/redis-mapping.store';
import { TurnProgressStore } from '../../apps/worker/src/state/turn-progress.store';
import { ThreadStateStore } from '../../apps/worker/src/threads/thread-state.store';
import { LegacyRedisKeys, RedisKeys } from '../../libs/redis/src/redis-keys';
import { TestRedisServer } from '../support/redis-server';

// State written before the keys were portal-scoped and hash-tagged must survive the upgrade:
// what an operator relies on (a handed-off thread stays silent, a thread keeps its conversation,
// a turn in flight resumes) is read from the old keys, and the old keys are never written.
describe('Redis keys written by the previous release', () => {
  let server: TestRedisServer;
  let redis: Redis;
  const ref = { portalId: '42', threadId: '9001' };
  beforeAll(async () => {
    server = await TestRedisServer.start();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis.quit();
    await server.destroy();
  });

  it('a thread mapped in the shared hash keeps its conversation, and moves under its portal', async () => {
    await redis.hset(LegacyRedisKeys.mappingStore(), ref.threadId, 'conv_old');
    const store = new RedisMappingStore(redis);
    expect(await store.find(ref)).toBe('conv_old');
    expect(await redis.hget(RedisKeys.mappingStore('42'), ref.threadId)).toBe('conv_old');
    expect(await store.find({ portalId: '42', threadId: 'unknown' })).toBeUndefined();
  });

  it("a handed-off thread's state is read and moved to the tagged key once", async () => {
    await redis.hset(LegacyRedisKeys.threadState(ref), { handedOff: 'visitor asked', profile: 'support' });
    const states = new ThreadStateStore(redis);
    expect(await states.get(ref)).toEqual({ handedOff: 'visitor asked', profile: 'support' });
    expect(await redis.exists(LegacyRedisKeys.threadState(ref))).toBe(0);
    expect(await redis.hget(RedisKeys.threadState(ref), 'handedOff')).toBe('visitor asked');
    await states.set(ref, { language: 'ro' });
    expect(await states.get(ref)).toMatchObject({ handedOff: 'visitor asked', language: 'ro' });
  });

  it('a turn in flight resumes from its old progress, and an old own-message mark is still ours', async () => {
    await redis.set(LegacyRedisKeys.turnProgress('42', 'm1'), JSON.stringify({ answer: 'half done', rounds: 2 }));
    await redis.set(LegacyRedisKeys.ownMessage('42', 'm2'), '1');
    const progress = new TurnProgressStore(redis);
    expect((await progress.loadForMessage(ref, 'm1')).progress).toMatchObject({ answer: 'half done', rounds: 2 });
    expect((await progress.loadForMessage(ref, 'm2')).own).toBe(true);
    // Saved progress goes to the tagged key; the old one is left to expire.
    const loaded = await progress.load(ref, 'm1');
    await progress.save(ref, 'm1', { ...loaded, done: true });
    expect(JSON.parse((await redis.get(RedisKeys.turnProgress(ref, 'm1')))!)).toMatchObject({ done: true });
    expect((await progress.load(ref, 'm1')).done).toBe(true);
  });
});
