import { BullModule, Processor } from '@nestjs/bullmq';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import { REDIS_CONNECTION } from '@app/redis';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { StateModule } from '../state/state.module';
import { ThreadsModule } from '../threads/threads.module';
import { TurnsModule } from '../turns/turns.module';
import type { WorkerConfig } from '../config/worker-config';
import { MessageReceivedHandler } from './handlers/message-received.handler';
import { OutcomeSweepHandler } from './handlers/outcome-sweep.handler';
import { ThreadChangedHandler } from './handlers/thread-changed.handler';
import { ThreadOpenedHandler } from './handlers/thread-opened.handler';
import { HubSpotEventsConsumer } from './hubspot-events.consumer';
import { JobHandlerRegistry } from './job-handler.registry';
import { OutcomeScheduler } from './outcome-scheduler';
import { ThreadLineStarter } from './thread-line-starter';
import { upstreamAwareBackoff } from './upstream-aware.backoff';

/**
 * The consumer side of the queue: @nestjs/bullmq's worker with options from config, one handler
 * per job name. `@Processor` takes its worker options at decoration time, so each app gets its own
 * subclass decorated with its configuration (tests run apps with different settings in one process).
 */
@Module({})
export class QueueModule {
  static forRoot(config: WorkerConfig): DynamicModule & { consumer: Type<HubSpotEventsConsumer> } {
    const { concurrency, lockDurationMs, stalledIntervalMs } = config.queue;
    @Processor(HUBSPOT_EVENTS_QUEUE, {
      concurrency,
      // A turn may wait on a slow model for a minute; the lock is renewed every lockDuration/2.
      lockDuration: lockDurationMs,
      // A job whose worker died is taken over once its lock expires, found within stalledInterval.
      stalledInterval: stalledIntervalMs,
      maxStalledCount: 2,
      settings: { backoffStrategy: upstreamAwareBackoff },
      // Started in onApplicationBootstrap, once every module is ready.
      autorun: false,
    })
    class ConfiguredConsumer extends HubSpotEventsConsumer {}

    return {
      module: QueueModule,
      consumer: ConfiguredConsumer,
      imports: [
        DiscoveryModule,
        TurnsModule,
        ThreadsModule,
        StateModule,
        OutcomesModule,
        // BullMQ duplicates this connection for its blocking reads.
        BullModule.forRootAsync({ inject: [REDIS_CONNECTION], useFactory: (redis: Redis) => ({ connection: redis }) }),
        // Registering the queue brings @nestjs/bullmq's explorer, which creates the @Processor's worker.
        BullModule.registerQueue({ name: HUBSPOT_EVENTS_QUEUE }),
      ],
      providers: [
        JobHandlerRegistry,
        MessageReceivedHandler,
        ThreadOpenedHandler,
        ThreadChangedHandler,
        OutcomeSweepHandler,
        OutcomeScheduler,
        ConfiguredConsumer,
        ThreadLineStarter,
      ],
      exports: [ConfiguredConsumer],
    };
  }
}
