import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Job, type Queue } from 'bullmq';
import type { ChainableCommander, Redis } from 'ioredis';
import { HUBSPOT_EVENTS_QUEUE, JobName, type JobSpec } from '@app/contracts';
import { REDIS_CONNECTION, RedisKeys, threadLineJoin } from '@app/redis';
import { ApiConfig } from '../config/api-config';
import { QueueUnavailableError } from './queue-unavailable.error';

/** What happened to one job: stored, already there (a redelivery), or the echo of our own reply. */
export type EnqueueResult = 'new' | 'duplicate' | 'own';

interface Waiter {
  jobs: JobSpec[];
  resolve: (results: EnqueueResult[]) => void;
  reject: (err: Error) => void;
}

/**
 * Group commit into BullMQ: requests that arrive while a flush is in flight are stored together
 * by the next `addBulk` (one MULTI). A caller's promise resolves only after its jobs are in Redis,
 * so a 200 is never sent for events that were not stored. Under no load a flush holds one request
 * and costs what a direct add would.
 */
@Injectable()
export class JobEnqueuer {
  private pending: Waiter[] = [];
  private flushing = false;

  constructor(
    @InjectQueue(HUBSPOT_EVENTS_QUEUE) private readonly queue: Queue,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly config: ApiConfig,
  ) {
    // Connection errors are logged once by the Redis module; without a listener BullMQ would
    // print each one to stderr as unstructured text.
    this.queue.on('error', () => undefined);
  }

  /** Stores the jobs; resolves with what happened to each (new, duplicate, or our own reply's echo). */
  enqueue(jobs: JobSpec[]): Promise<EnqueueResult[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    // Fail fast: with the connection down, waiting would only eat HubSpot's 5 s budget.
    if (this.redis.status !== 'ready') {
      return Promise.reject(new QueueUnavailableError(`redis connection ${this.redis.status}`));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ jobs, resolve, reject });
      if (!this.flushing) this.flush();
    });
  }

  private flush(): void {
    this.flushing = true;
    const batch: Waiter[] = [];
    let size = 0;
    while (
      this.pending.length > 0 &&
      (size === 0 || size + this.pending[0].jobs.length <= this.config.ingest.maxBatch)
    ) {
      const waiter = this.pending.shift()!;
      size += waiter.jobs.length;
      batch.push(waiter);
    }
    this.store(batch)
      .then(
        (flags) => {
          let offset = 0;
          for (const w of batch) {
            w.resolve(flags.slice(offset, offset + w.jobs.length));
            offset += w.jobs.length;
          }
        },
        (err: unknown) => {
          const error = new QueueUnavailableError(err);
          for (const w of batch) w.reject(error);
        },
      )
      .finally(() => {
        this.flushing = false;
        if (this.pending.length > 0) this.flush();
      });
  }

  /**
   * Two round trips per batch: an EXISTS pipeline (to recognise the webhook of a message the worker
   * posted: no job for it; and, for jobs without a thread line, to count duplicates), then one
   * pipeline that stores every new job and, just before each message's job, makes the message join
   * its thread's line, so the order of a thread's messages is decided here, not by which job a
   * worker happens to pick first. The join also tells whether the message's job existed already.
   */
  private async store(batch: Waiter[]): Promise<EnqueueResult[]> {
    const jobs = batch.flatMap((w) => w.jobs);
    const seen = new Set<string>();
    const unique = jobs.filter((j) => !seen.has(j.jobId) && seen.add(j.jobId));

    const pipeline = this.redis.pipeline();
    for (const job of unique) {
      if (job.name === JobName.MessageReceived) pipeline.exists(RedisKeys.ownMessage(job.data, job.data.messageId));
      else pipeline.exists(this.queue.toKey(job.jobId));
    }
    const replies = (await pipeline.exec()) ?? [];
    const found = unique.map((_, i) => {
      const [err, count] = replies[i] ?? [new Error('no reply'), 0];
      if (err) throw err;
      return count === 1;
    });
    // The deterministic jobId makes BullMQ keep the existing job on a redelivery.
    const toAdd = unique.filter((j, i) => !(j.name === JobName.MessageReceived && found[i]));
    const existed = toAdd.length > 0 ? await this.add(toAdd) : [];
    const status = new Map<string, EnqueueResult>();
    unique.forEach((job, i) => {
      if (job.name === JobName.MessageReceived) status.set(job.jobId, found[i] ? 'own' : 'new');
      else status.set(job.jobId, found[i] ? 'duplicate' : 'new');
    });
    toAdd.forEach((job, i) => {
      if (existed[i]) status.set(job.jobId, 'duplicate');
    });

    const counted = new Set<string>();
    return jobs.map((j) => {
      const result = status.get(j.jobId)!;
      const first = !counted.has(j.jobId);
      counted.add(j.jobId);
      return result === 'new' && !first ? 'duplicate' : result;
    });
  }

  /**
   * What queue.addBulk does (one pipeline of BullMQ's add scripts), with each message's line join
   * before its job. Returns, per spec, whether a message's job existed already (the join says so).
   */
  private async add(specs: JobSpec[]): Promise<boolean[]> {
    // BullMQ's client is a thin proxy of the ioredis connection: our script is defined on it too.
    const client = await this.queue.backend.client;
    threadLineJoin.define(client as unknown as Redis);
    const pipeline = client.pipeline();
    const joinAt: (number | undefined)[] = [];
    let commands = 0;
    for (const spec of specs) {
      const job = new Job(this.queue, spec.name, spec.data, { ...this.queue.defaultJobOptions, jobId: spec.jobId });
      joinAt.push(spec.name === JobName.MessageReceived ? commands++ : undefined);
      if (spec.name === JobName.MessageReceived) {
        const { data } = spec;
        threadLineJoin.queue(
          pipeline as unknown as ChainableCommander,
          this.queue.toKey(spec.jobId),
          RedisKeys.threadLine(data),
          data.messageId,
          data.occurredAt,
        );
      }
      void this.queue.backend.addJobToTransaction(pipeline, job.asJSON(), spec.jobId);
      commands++;
    }
    const replies = (await pipeline.exec()) ?? [[new Error('no reply')]];
    for (const [err] of replies) if (err) throw err;
    // threadLineJoin answers 0 when the job's hash was there already (a redelivery).
    return joinAt.map((at) => at !== undefined && replies[at]?.[1] === 0);
  }
}
