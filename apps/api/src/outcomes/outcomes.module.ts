import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { OutcomeReader } from '@app/audit';
import { REDIS_CONNECTION } from '@app/redis';
import { OutcomesController } from './outcomes.controller';

/** Operator reads of the conversation outcomes the worker decides; routes live under /admin (basic auth). */
@Module({
  controllers: [OutcomesController],
  providers: [
    { provide: OutcomeReader, inject: [REDIS_CONNECTION], useFactory: (redis: Redis) => new OutcomeReader(redis) },
  ],
})
export class OutcomesModule {}
