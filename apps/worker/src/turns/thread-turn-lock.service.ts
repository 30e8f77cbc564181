import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LuaScript, REDIS_CONNECTION } from '@app/redis';
import type { ThreadRef } from '../mapping/thread-mapping.service';

// Atomically: join the thread's line (ordered by message time), and take the lock only when this
// message is first in line and nobody else holds it. A head older than staleMs whose job vanished
// is dropped so one lost job cannot block a thread forever.
const ACQUIRE = new LuaScript(
  'turnLineAcquire',
  2,
  `
local line, lock = KEYS[1], KEYS[2]
local member, score, holder, ttl, staleBefore = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZADD', line, 'NX', score, member)
redis.call('PEXPIRE', line, 86400000)
local head = redis.call('ZRANGE', line, 0, 0, 'WITHSCORES')
if head[1] ~= member then
  if redis.call('EXISTS', lock) == 0 and tonumber(head[2]) < staleBefore then
    redis.call('ZREM', line, head[1])
  end
  return 0
end
local current = redis.call('GET', lock)
if current == false or current == holder then
  redis.call('SET', lock, holder, 'PX', ttl)
  return 1
end
return 0
`,
);

const UNLOCK = new LuaScript(
  'turnLineUnlock',
  1,
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`,
);

const FINISH = new LuaScript(
  'turnLineFinish',
  2,
  `
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`,
);

const STALE_HEAD_MS = 15 * 60 * 1000;

/**
 * One turn at a time per HubSpot thread, in message order, across every worker process.
 * A message that finds its thread busy (or an earlier message still waiting) is not failed:
 * the caller delays its job and tries again.
 */
@Injectable()
export class ThreadTurnLock {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  async acquire(
    ref: ThreadRef,
    messageId: string,
    messageTime: number,
    holder: string,
    ttlMs: number,
  ): Promise<boolean> {
    const result = await ACQUIRE.run(
      this.redis,
      lineKey(ref),
      lockKey(ref),
      messageId,
      String(messageTime),
      holder,
      String(ttlMs),
      String(Date.now() - STALE_HEAD_MS),
    );
    return result === 1;
  }

  /** Frees the lock (if still ours) but keeps the message first in line: it will be retried. */
  async unlock(ref: ThreadRef, holder: string): Promise<void> {
    await UNLOCK.run(this.redis, lockKey(ref), holder);
  }

  /** The message is done (answered, skipped or given up): leave the line and free the lock. */
  async finish(ref: ThreadRef, messageId: string, holder: string): Promise<void> {
    await FINISH.run(this.redis, lineKey(ref), lockKey(ref), messageId, holder);
  }
}

const lineKey = (ref: ThreadRef) => `thread:${ref.portalId}:${ref.threadId}:line`;
const lockKey = (ref: ThreadRef) => `thread:${ref.portalId}:${ref.threadId}:lock`;
