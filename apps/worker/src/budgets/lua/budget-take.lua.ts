import { LuaScript } from '@app/redis';
import { NOW } from './budget-now';

/**
 * One unit of a sliding-window budget shared by every worker (a log of units, score = when the
 * unit counts from). Units are placed in order: when the window is full, the next unit goes to
 * the earliest moment that keeps every window within the limit after all units already placed
 * (`limit` places back + window, and not before the last one), so waiting callers queue up
 * instead of racing for the same freed unit.
 *
 * KEYS: the budget. ARGV: window ms, limit, unit id, lease ms (spend(): counts as in flight for
 * that long), longest in-process wait ms, reservation id ('' = none), late tolerance ms.
 * Returns {code, ms}: 0 = taken now; 1 = taken at now + ms (wait that long, then call);
 * 2 = reserved under the reservation id for now + ms (come back then); 3 = full, no reservation
 * possible (retry in ms). A reservation that is due is used; one that is late by more than the
 * tolerance (its job came back too late for the unit to count where it was placed) is dropped.
 */
export const budgetTake = new LuaScript(
  'budgetTake',
  1,
  `${NOW}
local key, window, limit, id = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local lease, inline, reservation, tolerance = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if reservation ~= '' then
  local at = redis.call('ZSCORE', key, reservation)
  if at then
    at = tonumber(at)
    if at > now then return {2, at - now} end
    redis.call('ZREM', key, reservation)
    if now - at <= tolerance then
      redis.call('ZADD', key, at, id)
      return {0, 0}
    end
  end
end
local n = redis.call('ZCARD', key)
if n < limit then
  redis.call('ZADD', key, now + lease, id)
  if redis.call('PTTL', key) < window + lease then redis.call('PEXPIRE', key, window + lease) end
  return {0, 0}
end
if lease > 0 then
  local oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
  if oldest > now then return {3, window} end
  return {3, math.max(1, oldest + window - now)}
end
local kth = tonumber(redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')[2])
local last = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
local at = math.max(now, kth + window, last)
local wait = at - now
if wait > inline and reservation == '' then return {3, wait} end
redis.call('ZADD', key, at, wait > inline and reservation or id)
if redis.call('PTTL', key) < wait + window then redis.call('PEXPIRE', key, wait + window) end
if wait > inline then return {2, wait} end
return {1, wait}
`,
);
