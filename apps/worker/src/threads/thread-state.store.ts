import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LegacyRedisKeys, REDIS_CONNECTION, RedisKeys } from '@app/redis';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import { threadStateClaim } from './lua/thread-state-claim.lua';

/** What we keep per HubSpot thread between turns (cached facts and the bot's own state). */
export interface ThreadState {
  /** Assistant profile chosen from the thread's inbox (cached: an inbox does not change). */
  profile?: string;
  /** The CRM contact of the visitor: HubSpot's associated contact, or one bound in this thread. */
  contactId?: string;
  /** The thread's associated contact id, read from the thread but not looked up in the CRM yet. */
  contactPending?: string;
  /** The visitor's e-mail as HubSpot knows it: a claim (anyone can type an address), never proof. */
  email?: string;
  /** An address the visitor proved to own in this thread with a one-time code. */
  verifiedEmail?: string;
  /** When it was verified (ms epoch): staff grants expire. */
  verifiedAt?: string;
  /** Set once the visitor's one create_contact of this thread was used. */
  contactCreateUsed?: string;
  /** The thread's language (en, ro, nl) once a visitor message showed one (threads/visitor-language.ts). */
  language?: string;
  /** The CRM contact's `hs_language` (en, ro, nl), read with the contact: the language until a message shows one. */
  contactLanguage?: string;
  /** Set when a human took over (handoff or assignment): the bot stays silent. */
  handedOff?: string;
  /** Who handed the thread off: the visitor message whose turn did (it posts the note, assigns), or `event`. */
  handoffBy?: string;
  /** The thread was closed after a handoff: its next turn tells the model the chat starts over. */
  reopenedAfterHandoff?: string;
  /** The welcome message id, once posted. */
  welcomedWith?: string;
}

const TTL_SECONDS = 90 * 86_400;
type Field = keyof ThreadState;

/** Per-thread state in one Redis hash. Cleared when the thread is closed. */
@Injectable()
export class ThreadStateStore {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  async get(ref: ThreadRef): Promise<ThreadState> {
    const state = await this.redis.hgetall(key(ref));
    if (Object.keys(state).length > 0) return state;
    // A thread last seen before keys had hash tags: move its state (handoff, identity) over once.
    const legacy = await this.redis.hgetall(LegacyRedisKeys.threadState(ref));
    if (Object.keys(legacy).length > 0) await this.redis.renamenx(LegacyRedisKeys.threadState(ref), key(ref));
    return legacy;
  }

  async set(ref: ThreadRef, values: Partial<Record<Field, string>>): Promise<void> {
    await this.redis.multi().hset(key(ref), values).expire(key(ref), TTL_SECONDS).exec();
  }

  /** Sets a field only if it is not set yet; true when this call set it (once-only actions). */
  async setOnce(ref: ThreadRef, field: Field, value: string): Promise<boolean> {
    const [[, created]] = (await this.redis
      .multi()
      .hsetnx(key(ref), field, value)
      .expire(key(ref), TTL_SECONDS)
      .exec()) as [[Error | null, number]];
    return created === 1;
  }

  /** Sets `field` and `ownerField` together if `field` is unset; true when this call did. */
  async claim(ref: ThreadRef, field: Field, value: string, ownerField: Field, owner: string): Promise<boolean> {
    const set = await threadStateClaim.run(this.redis, key(ref), field, value, ownerField, owner, String(TTL_SECONDS));
    return set === 1;
  }

  async unset(ref: ThreadRef, ...fields: Field[]): Promise<void> {
    await this.redis.hdel(key(ref), ...fields);
  }
}

const key = RedisKeys.threadState;
