import { isIP } from 'node:net';
import type { Redis } from 'ioredis';
import { LuaScript, RedisKeys } from '@app/redis';

/**
 * Who the limiter counts: an IPv4 address (IPv4-mapped IPv6 included), or an IPv6 /64 — one
 * subscriber usually holds a whole /64, so counting single IPv6 addresses would be no limit at all.
 */
export function limiterClient(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => String(parseInt(g, 16).toString(16)))
    .join(':')}::/64`;
}

export interface LimiterState {
  /** Failed logins of this client in the current window. */
  failures: number;
  /** Until the window ends, ms (0 when there is none). */
  retryAfterMs: number;
  blocked: boolean;
}

// One round trip: count the failure and start the window on the first one.
const RECORD_FAILURE = new LuaScript(
  'adminLoginFailure',
  1,
  `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`,
);

const READ_STATE = new LuaScript(
  'adminLoginState',
  1,
  `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
return {n, ttl}`,
);

/**
 * Failed admin logins per client address in Redis, shared by every api replica. Only requests
 * that present wrong credentials count. Redis errors surface as `undefined`: the caller still
 * requires the credentials (closed on auth) but does not limit (open on the limiter).
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly maxFailures: number,
    private readonly windowSeconds: number,
  ) {}

  private key(ip: string): string {
    return RedisKeys.adminLoginFailures(limiterClient(ip));
  }

  private state([failures, ttl]: [number, number]): LimiterState {
    return { failures, retryAfterMs: Math.max(ttl, 0), blocked: failures > this.maxFailures };
  }

  async recordFailure(ip: string): Promise<LimiterState | undefined> {
    try {
      const reply = (await RECORD_FAILURE.run(this.redis, this.key(ip), String(this.windowSeconds * 1000))) as [
        number,
        number,
      ];
      return this.state(reply);
    } catch {
      return undefined;
    }
  }

  async current(ip: string): Promise<LimiterState | undefined> {
    try {
      return this.state((await READ_STATE.run(this.redis, this.key(ip))) as [number, number]);
    } catch {
      return undefined;
    }
  }
}
