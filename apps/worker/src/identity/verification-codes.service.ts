import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';
import { IdentityConfig } from '../config/config-sections';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import { IdentityMetrics } from './identity-metrics.service';
import type { Language } from './identity-texts';
import { VerificationMailer } from './verification-mailer.service';

export const CODE_VALID_MINUTES = 10;
export const CODE_MAX_ATTEMPTS = 5;
const HOUR_MS = 3_600_000;

export type CodeRequestResult = { status: 'sent' | 'not_sent' | 'rate_limited' | 'unavailable' };
export type CodeCheckResult =
  | { status: 'verified'; email: string }
  | { status: 'wrong'; attemptsLeft: number }
  | { status: 'expired' }
  | { status: 'locked' };

/**
 * One-time codes proving that the visitor of a thread owns an e-mail address: 6 digits, valid
 * 10 minutes, 5 attempts, rate-limited per address and per thread. Only an HMAC of the code is
 * stored; the code itself exists in the mail and nowhere else (not in logs, audit or the model).
 * Nothing here looks at the CRM, so the answer never says whether an address is a customer's.
 */
@Injectable()
export class VerificationCodes {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly mailer: VerificationMailer,
    private readonly metrics: IdentityMetrics,
    private readonly identity: IdentityConfig,
  ) {}

  get available(): boolean {
    return this.mailer.available;
  }

  /**
   * Counts the request against both rate limits, then (when `send`) stores a fresh code, replacing
   * any pending one, and mails it. `send: false` counts and answers alike without mailing: callers
   * use it for addresses that must not receive a code, so both cases look the same from outside.
   */
  async request(ref: ThreadRef, email: string, language: Language, send = true): Promise<CodeRequestResult> {
    const result = await this.requestCode(ref, email, language, send);
    this.metrics.countVerification(
      result.status === 'sent' ? 'code_sent' : result.status === 'not_sent' ? 'code_not_sent' : result.status,
    );
    return result;
  }

  private async requestCode(
    ref: ThreadRef,
    email: string,
    language: Language,
    send: boolean,
  ): Promise<CodeRequestResult> {
    if (!this.available) return { status: 'unavailable' };
    const hour = Math.floor(Date.now() / HOUR_MS);
    const byAddress = RedisKeys.verificationRateAddress(ref.portalId, sha(email), hour);
    const byThread = RedisKeys.verificationRateThread(ref, hour);
    const results = (await this.redis
      .multi()
      .incr(byAddress)
      .pexpire(byAddress, HOUR_MS)
      .incr(byThread)
      .pexpire(byThread, HOUR_MS)
      .exec()) as [Error | null, number][];
    const [addressCount, , threadCount] = results.map(([, n]) => Number(n));
    if (addressCount > this.identity.codesPerAddressPerHour || threadCount > this.identity.codesPerThreadPerHour) {
      return { status: 'rate_limited' };
    }
    if (!send) return { status: 'not_sent' };

    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const key = pendingKey(ref);
    await this.redis
      .multi()
      .del(key)
      .hset(key, { email, hash: this.hash(ref, email, code), attempts: 0, language })
      .pexpire(key, CODE_VALID_MINUTES * 60_000)
      .exec();
    try {
      await this.mailer.send(email, code, language, CODE_VALID_MINUTES);
    } catch (err) {
      await this.redis.del(key);
      throw err;
    }
    return { status: 'sent' };
  }

  /** The language of the thread's pending code, when one is pending. */
  async pendingLanguage(ref: ThreadRef): Promise<Language | undefined> {
    const [hash, language] = await this.redis.hmget(pendingKey(ref), 'hash', 'language');
    return hash ? ((language ?? 'en') as Language) : undefined;
  }

  /** Checks a code typed in the thread; wrong ones count towards the attempt limit. */
  async check(ref: ThreadRef, code: string): Promise<CodeCheckResult> {
    const result = await this.checkCode(ref, code);
    this.metrics.countVerification(result.status);
    return result;
  }

  private async checkCode(ref: ThreadRef, code: string): Promise<CodeCheckResult> {
    const key = pendingKey(ref);
    const pending = await this.redis.hgetall(key);
    if (!pending.hash || !pending.email) return { status: 'expired' };
    const attempts = Number(pending.attempts) || 0;
    if (attempts >= CODE_MAX_ATTEMPTS) return { status: 'locked' };
    const expected = Buffer.from(pending.hash, 'hex');
    const given = Buffer.from(this.hash(ref, pending.email, code), 'hex');
    // Used up by consume() once the caller recorded the proof: a crash in between re-checks, not re-asks.
    if (expected.length === given.length && timingSafeEqual(expected, given))
      return { status: 'verified', email: pending.email };
    const used = await this.redis.hincrby(key, 'attempts', 1);
    const attemptsLeft = CODE_MAX_ATTEMPTS - used;
    return attemptsLeft > 0 ? { status: 'wrong', attemptsLeft } : { status: 'locked' };
  }

  async consume(ref: ThreadRef): Promise<void> {
    await this.redis.del(pendingKey(ref));
  }

  private hash(ref: ThreadRef, email: string, code: string): string {
    return createHmac('sha256', this.identity.codeKey)
      .update(`${ref.portalId}:${ref.threadId}:${email}:${code}`)
      .digest('hex');
  }
}

const pendingKey = RedisKeys.verificationCode;
const sha = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/**
 * A 6-digit code typed in a chat message ("123456", "123 456", "my code is 123-456"): the message
 * holds exactly six digits, so a phone number or an order number is never taken for a code.
 */
export function findCode(text: string): string | undefined {
  if (text.replace(/\D/g, '').length !== 6) return undefined;
  const match = /(?<!\d)(\d{3})[\s-]?(\d{3})(?!\d)/.exec(text);
  return match ? `${match[1]}${match[2]}` : undefined;
}
