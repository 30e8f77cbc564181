/**
 * The Redis cost of a bare BullMQ job, as the yardstick for the Redis commands of a turn: a `Queue.add`
 * with the api's job options, processed by a `Worker` with the worker app's options and a processor that
 * does nothing, driven like the e2e scenario it is compared with (the same number of closed-loop lanes:
 * add, wait until completed, add the next one) against a throwaway redis-server configured like the one
 * of the scenario.
 *
 * Commands are counted from `INFO commandstats` like the bench counts a turn's: every entry, so a Lua
 * script counts as its EVALSHA plus the commands it ran (see `commandsPer` in bench-support.ts).
 */
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { commandsPer, QUEUE, sleep } from './bench-support.ts';

/**
 * The api's default job options (apps/api/src/ingest/ingest.module.ts with the defaults of
 * apps/api/src/config/api-config.ts: JOB_ATTEMPTS 5, JOB_BACKOFF_MS 5000, JOB_KEEP_COMPLETED_HOURS 48,
 * JOB_KEEP_COMPLETED_COUNT 100000, JOB_KEEP_FAILED_DAYS 30). Copied, not imported: the bench build
 * does not resolve the apps' `@app/*` path aliases.
 */
export const API_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'upstream-aware', delay: 5000 }, // UPSTREAM_AWARE_BACKOFF, libs/contracts/src/queues.ts
  removeOnComplete: { age: 48 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 86_400 },
};

/**
 * The worker app's options (apps/worker/src/queue/queue.module.ts with the defaults of
 * apps/worker/src/config/worker-config.ts: WORKER_LOCK_DURATION_MS 120000, WORKER_STALLED_INTERVAL_MS 30000).
 * The backoff strategy never runs here (no job fails); it is a stand-in so the option set is the same.
 */
export const WORKER_OPTIONS = {
  lockDuration: 120_000,
  stalledInterval: 30_000,
  maxStalledCount: 2,
  settings: { backoffStrategy: () => -1 },
};

export interface BareBullmqResult {
  jobs: number;
  lanes: number;
  concurrency: number;
  /** Redis commands per job by command, as for a turn. */
  perJob: [string, number][];
  total: number;
  jobsPerSec: number;
}

/** `jobs` bare jobs in `lanes` closed loops (after `warmup` unmeasured ones) against the Redis at `url`. */
export async function measureBareBullmq(
  url: string,
  options: { jobs: number; warmup: number; lanes: number; concurrency: number },
): Promise<BareBullmqResult> {
  // One connection each, as the apps have (BullMQ duplicates the worker's for its blocking reads).
  const producer = new Redis(url, { maxRetriesPerRequest: 1 });
  const consumer = new Redis(url, { maxRetriesPerRequest: null });
  const stats = new Redis(url, { maxRetriesPerRequest: 1 });
  const queue = new Queue(QUEUE, { connection: producer, defaultJobOptions: API_JOB_OPTIONS });
  const waiters = new Map<string, () => void>();
  const worker = new Worker(QUEUE, () => Promise.resolve(), {
    connection: consumer,
    concurrency: options.concurrency,
    ...WORKER_OPTIONS,
  });
  worker.on('completed', (job) => waiters.get(job.id ?? '')?.());
  try {
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
    let seq = 0;
    const one = async () => {
      const jobId = `msg-1-bare${++seq}`; // the api's job id shape (messageJobId)
      const done = new Promise<void>((resolve) => waiters.set(jobId, resolve));
      await queue.add('message.received', { portalId: '1', threadId: String(seq), messageId: `bare${seq}` }, { jobId });
      await done;
      waiters.delete(jobId);
    };
    await lanesOf(options.warmup, options.lanes, one);
    await sleep(100);
    await stats.config('RESETSTAT');
    const start = performance.now();
    await lanesOf(options.jobs, options.lanes, one);
    const seconds = (performance.now() - start) / 1000;
    const perJob = commandsPer(await stats.info('commandstats'), options.jobs);
    return {
      jobs: options.jobs,
      lanes: options.lanes,
      concurrency: options.concurrency,
      perJob,
      total: perJob.reduce((sum, [, v]) => sum + v, 0),
      jobsPerSec: options.jobs / seconds,
    };
  } finally {
    await worker.close();
    await queue.close();
    for (const c of [producer, consumer, stats]) c.disconnect();
  }
}

/** Runs `fn` `count` times in `lanes` loops. */
async function lanesOf(count: number, lanes: number, fn: () => Promise<void>): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: Math.min(lanes, count) }, async () => {
      while (left > 0) {
        left--;
        await fn();
      }
    }),
  );
}
