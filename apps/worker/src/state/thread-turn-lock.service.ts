import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  REDIS_CONNECTION,
  RedisKeys,
  threadLineAcquire,
  threadLineFinish,
  threadLineReady,
  threadLineUnlock,
  type ThreadKeyRef,
} from '@app/redis';

const STALE_HEAD_MS = 15 * 60 * 1000;

/** Called with the message that is first in its thread's line once the turn is free. */
export type NextInLine = (ref: ThreadKeyRef, messageId: string) => Promise<void>;

/** What taking the thread's turn found: taken (with the messages waiting behind), busy, or answered. */
export type TurnTake =
  | { status: 'taken'; waiting: string[] }
  | { status: 'busy' }
  /** The message left the line as answered (its progress says done) while its job was on its way. */
  | { status: 'answered' };

/**
 * One turn at a time per HubSpot thread, in message order, across every worker process. A
 * message joins its thread's line when its webhook is stored (the api), so the order is the
 * one HubSpot gave, whichever job a worker picks first. A message that finds its thread busy
 * waits without polling: when a turn ends, the next message in line is started (`onNextInLine`).
 */
@Injectable()
export class ThreadTurnLock {
  private readonly logger = new Logger(ThreadTurnLock.name);
  private nextInLine: NextInLine = () => Promise.resolve();

  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  /** The queue sets how a waiting message is started (promoting its delayed job). */
  onNextInLine(start: NextInLine): void {
    this.nextInLine = start;
  }

  /**
   * Takes the thread's turn for the message first in line; `take` > 1 also returns up to
   * `take` - 1 messages waiting behind it (in order), in the same script call.
   */
  async acquire(
    ref: ThreadKeyRef,
    messageId: string,
    messageTime: number,
    holder: string,
    ttlMs: number,
    take = 1,
  ): Promise<TurnTake> {
    const result = await threadLineAcquire.run(
      this.redis,
      RedisKeys.threadLine(ref),
      RedisKeys.threadLock(ref),
      RedisKeys.turnProgress(ref, messageId),
      messageId,
      String(messageTime),
      holder,
      String(ttlMs),
      String(Date.now() - STALE_HEAD_MS),
      String(Math.max(1, take)),
    );
    if (Array.isArray(result)) return { status: 'taken', waiting: (result as unknown[]).slice(1).map(String) };
    return result === -1 ? { status: 'answered' } : { status: 'busy' };
  }

  /**
   * First in line with the turn free, or out of the line (answered with an earlier message): a
   * waiting message checks this after it went to wait.
   */
  async ready(ref: ThreadKeyRef, messageId: string): Promise<boolean> {
    return (
      (await threadLineReady.run(this.redis, RedisKeys.threadLine(ref), RedisKeys.threadLock(ref), messageId)) === 1
    );
  }

  /** Frees the lock (if still ours) but keeps the message first in line: it will be retried. */
  async unlock(ref: ThreadKeyRef, holder: string): Promise<void> {
    await threadLineUnlock.run(this.redis, RedisKeys.threadLock(ref), holder);
  }

  /**
   * The message is done (answered, skipped or given up): leave the line, free the lock, start the
   * next. `answered` are the messages its turn answered together with it: they leave the line too,
   * and their waiting jobs are started so they finish (skipping) now, not when their wait ends.
   */
  async finish(ref: ThreadKeyRef, messageId: string, holder: string, answered: string[] = []): Promise<void> {
    const next = (await threadLineFinish.run(
      this.redis,
      RedisKeys.threadLine(ref),
      RedisKeys.threadLock(ref),
      messageId,
      holder,
      ...answered,
    )) as string | null;
    // Best effort: a message not started here still runs when its wait ends.
    const start = (id: string) =>
      this.nextInLine(ref, id).catch((err: Error) =>
        this.logger.warn({ threadId: ref.threadId, err: err.message }, 'could not start the next message'),
      );
    await Promise.all([...answered, ...(next ? [next] : [])].map(start));
  }
}
