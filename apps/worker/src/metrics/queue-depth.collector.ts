import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import { METRIC_PREFIX, METRICS_REGISTRY } from '@app/metrics';
import { REDIS_CONNECTION } from '@app/redis';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** A scrape must not hang on a Redis that is down (the worker's connection queues commands forever). */
const COUNT_TIMEOUT_MS = 1000;

/** Queue depth by state, read from Redis when Prometheus scrapes (one MULTI of counts). */
@Injectable()
export class QueueDepthCollector implements OnModuleDestroy {
  private readonly queue: Queue;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @Inject(REDIS_CONNECTION) redis: Redis) {
    // Shares the worker's connection: no extra socket, and closing the queue leaves it open.
    this.queue = new Queue(HUBSPOT_EVENTS_QUEUE, { connection: redis });
    this.queue.on('error', () => undefined);
    const queue = this.queue;
    new Gauge({
      name: `${METRIC_PREFIX}queue_jobs`,
      help: `Jobs in the ${HUBSPOT_EVENTS_QUEUE} queue by state, at scrape time (absent when Redis did not answer)`,
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        try {
          const counts = await withTimeout(queue.getJobCounts(...STATES), COUNT_TIMEOUT_MS);
          for (const state of STATES) this.labels(state).set(counts[state] ?? 0);
        } catch {
          // Unknown is not zero: drop the series rather than report a stale or false depth.
          this.reset();
        }
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
