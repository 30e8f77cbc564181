import { Redis } from 'ioredis';
import { RedisKeys, threadLineJoin } from '../../libs/redis/src';
import { ThreadTurnLock } from '../../apps/worker/src/state/thread-turn-lock.service';
import { TurnProgressStore, newProgress } from '../../apps/worker/src/state/turn-progress.store';
import { TestRedisServer } from '../support/redis-server';

const TTL = 60_000;

/** The thread's line as the api builds it (each message joins at ingestion) and the turn lock over it. */
describe("ThreadTurnLock: a thread's line, with bursts", () => {
  let server: TestRedisServer;
  let redis: Redis;
  let lock: ThreadTurnLock;
  let progress: TurnProgressStore;
  let started: string[];
  let n = 0;
  beforeAll(async () => {
    server = await TestRedisServer.start();
    redis = new Redis(server.url);
    lock = new ThreadTurnLock(redis);
    progress = new TurnProgressStore(redis);
    lock.onNextInLine((_ref, id) => {
      started.push(id);
      return Promise.resolve();
    });
  });
  afterAll(async () => {
    await redis.quit();
    await server.destroy();
  });
  beforeEach(() => (started = []));

  /** A new thread whose messages m0…m(count-1) joined its line at ingestion, in time order. */
  async function lineOf(count: number) {
    const ref = { portalId: '42', threadId: `t${++n}` };
    const ids = Array.from({ length: count }, (_, i) => `m${i}`);
    for (const [i, id] of ids.entries()) {
      await threadLineJoin.run(redis, `no-job-${n}-${id}`, RedisKeys.threadLine(ref), id, String(1000 + i));
    }
    return { ref, ids };
  }
  const line = (ref: { portalId: string; threadId: string }) => redis.zrange(RedisKeys.threadLine(ref), 0, -1);

  it('the head takes the turn and gets the messages waiting behind it, at most take - 1; the others are busy', async () => {
    const { ref } = await lineOf(5);
    expect(await lock.acquire(ref, 'm1', 1001, 'job-m1', TTL, 10)).toEqual({ status: 'busy' });
    expect(await lock.acquire(ref, 'm0', 1000, 'job-m0', TTL, 3)).toEqual({ status: 'taken', waiting: ['m1', 'm2'] });
    // Taken again by the same holder (a retry): the same answer; take 1 = nobody waiting is handed over.
    expect(await lock.acquire(ref, 'm0', 1000, 'job-m0', TTL, 1)).toEqual({ status: 'taken', waiting: [] });
    expect(await lock.acquire(ref, 'm1', 1001, 'job-m1', TTL, 10)).toEqual({ status: 'busy' });
  });

  it('finishing with the burst drops its members from the line, starts their jobs and the next message', async () => {
    const { ref } = await lineOf(4);
    await lock.acquire(ref, 'm0', 1000, 'job-m0', TTL, 3);
    await lock.finish(ref, 'm0', 'job-m0', ['m1', 'm2']);
    expect(await line(ref)).toEqual(['m3']);
    expect(started.sort()).toEqual(['m1', 'm2', 'm3']);
    expect(await lock.acquire(ref, 'm3', 1003, 'job-m3', TTL, 10)).toEqual({ status: 'taken', waiting: [] });
  });

  it('a member whose job looked before it was answered does not join the line again, nor take the turn', async () => {
    const { ref } = await lineOf(2);
    await lock.acquire(ref, 'm0', 1000, 'job-m0', TTL, 10);
    // m1's job loaded its progress here (not done yet), then m0's turn answered it and ended.
    await progress.markAnswered(ref, ['m1'], 'm0', newProgress());
    await lock.finish(ref, 'm0', 'job-m0', ['m1']);
    expect(await lock.acquire(ref, 'm1', 1001, 'job-m1', TTL, 10)).toEqual({ status: 'answered' });
    expect(await line(ref)).toEqual([]);
    expect(await redis.exists(RedisKeys.threadLock(ref))).toBe(0);
    expect(JSON.parse((await redis.get(RedisKeys.turnProgress(ref, 'm1')))!)).toMatchObject({
      done: true,
      answeredBy: 'm0',
    });
  });

  it('a message that was not in line and has no finished turn joins and takes the turn (a job stored without joining)', async () => {
    const ref = { portalId: '42', threadId: `t${++n}` };
    expect(await lock.acquire(ref, 'x', 1, 'job-x', TTL, 10)).toEqual({ status: 'taken', waiting: [] });
  });

  it('a waiting message may run when first with the turn free, or once out of the line (answered with another)', async () => {
    const { ref } = await lineOf(3);
    await lock.acquire(ref, 'm0', 1000, 'job-m0', TTL, 2);
    expect(await lock.ready(ref, 'm1')).toBe(false);
    await lock.finish(ref, 'm0', 'job-m0', ['m1']);
    expect(await lock.ready(ref, 'm1')).toBe(true); // out of the line: runs now and skips
    expect(await lock.ready(ref, 'm2')).toBe(true); // first, turn free
    await lock.acquire(ref, 'm2', 1002, 'job-m2', TTL, 2);
    expect(await lock.ready(ref, 'm2')).toBe(false); // the turn is held
  });

  it('peek tells our own and begun messages apart from fresh ones, in one round trip', async () => {
    const ref = { portalId: '42', threadId: `t${++n}` };
    await progress.markOwnMessage(ref, 'ours');
    await progress.save(ref, 'begun', newProgress());
    expect(await progress.peek(ref, ['fresh', 'ours', 'begun'])).toEqual([
      { own: false, progressed: false },
      { own: true, progressed: false },
      { own: false, progressed: true },
    ]);
  });
});
