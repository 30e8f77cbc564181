import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { OutcomeReader } from '@app/audit';
import { REDIS_CONNECTION } from '@app/redis';
import { AuditReader } from '../audit/audit-reader.service';
import { KnowledgeGapsReader } from '../knowledge/knowledge-gaps.reader';
import { ConsoleController } from './console.controller';

/** The operator console at /admin (server-rendered HTML; basic auth like every /admin route). */
@Module({
  controllers: [ConsoleController],
  providers: [
    AuditReader,
    KnowledgeGapsReader,
    { provide: OutcomeReader, inject: [REDIS_CONNECTION], useFactory: (redis: Redis) => new OutcomeReader(redis) },
  ],
})
export class ConsoleModule {}
