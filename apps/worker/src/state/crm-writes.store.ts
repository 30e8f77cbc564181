import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION, RedisKeys, type ThreadKeyRef } from '@app/redis';

/** Where one CRM write of a thread stands: recorded before the call, completed with the object id. */
export interface CrmWrite {
  state: 'pending' | 'done';
  /** The object HubSpot created (done). */
  id?: string;
  /** When the effect was last looked for without being found (ms epoch). */
  lookedUpAt?: number;
}

/** A company looked up in the register in this thread (what save_company may write), and its CRM id once saved. */
export interface ThreadCompany {
  fields: Record<string, string>;
  companyId?: string;
}

const TTL_SECONDS = 7 * 86_400;

/**
 * The intent records that make a thread's CRM writes happen once (like a reply part in flight):
 * `begin` records the write before the call; a retry that finds it pending looks for the effect
 * in HubSpot before writing again. Also the companies a thread looked up (visitor scope may save only those).
 */
@Injectable()
export class CrmWritesStore {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  /** Records the write as pending unless it is recorded already; returns what was there before (undefined: new). */
  async begin(ref: ThreadKeyRef, marker: string): Promise<CrmWrite | undefined> {
    const key = RedisKeys.crmWrite(ref, marker);
    const fresh: CrmWrite = { state: 'pending' };
    const set = await this.redis.set(key, JSON.stringify(fresh), 'EX', TTL_SECONDS, 'NX');
    if (set === 'OK') return undefined;
    const raw = await this.redis.get(key);
    return raw ? (JSON.parse(raw) as CrmWrite) : undefined;
  }

  async update(ref: ThreadKeyRef, marker: string, write: CrmWrite): Promise<void> {
    await this.redis.set(RedisKeys.crmWrite(ref, marker), JSON.stringify(write), 'EX', TTL_SECONDS);
  }

  /** The write certainly did not happen (HubSpot refused it): a later call starts afresh. */
  async forget(ref: ThreadKeyRef, marker: string): Promise<void> {
    await this.redis.del(RedisKeys.crmWrite(ref, marker));
  }

  async rememberCompany(ref: ThreadKeyRef, cui: string, company: ThreadCompany): Promise<void> {
    const key = RedisKeys.threadCompanies(ref);
    await this.redis.multi().hset(key, cui, JSON.stringify(company)).expire(key, TTL_SECONDS).exec();
  }

  async company(ref: ThreadKeyRef, cui: string): Promise<ThreadCompany | undefined> {
    const raw = await this.redis.hget(RedisKeys.threadCompanies(ref), cui);
    return raw ? (JSON.parse(raw) as ThreadCompany) : undefined;
  }
}
