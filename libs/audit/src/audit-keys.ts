import { RedisKeys } from '@app/redis';

/**
 * Where turn audit records live in Redis. One copy per record, in a stream ordered by time
 * (trimmed by age: the retention) so an export is a range read; each thread keeps the stream
 * ids of its turns so an operator can read one conversation without scanning.
 */
export const AUDIT_STREAM = RedisKeys.auditStream();

/** The stream ids of one thread's turns, oldest first. */
export const auditThreadKey = RedisKeys.auditThread;

/** Tokens and credits spent by one thread so far (hash: tokens, credits, turns). */
export const costThreadKey = RedisKeys.costThread;

/** The UTC day of a moment, YYYY-MM-DD: how costs are bucketed per day. */
export const utcDay = (at = Date.now()) => new Date(at).toISOString().slice(0, 10);

/** Tokens and credits spent on one UTC day, YYYY-MM-DD (hash: tokens, credits, turns). */
export const costDayKey = RedisKeys.costDay;

/** The operator's view of a thread (behind the board's auth); also put into each job's data. */
export const auditPath = (threadId: string) => `/admin/conversations/${encodeURIComponent(threadId)}`;

/** Most turns one thread's index keeps (older ones stay in the stream until retention). */
export const AUDIT_THREAD_MAX_TURNS = 1000;
