import { Module } from '@nestjs/common';
import { AuditExportController } from './audit-export.controller';
import { AuditReader } from './audit-reader.service';
import { ConversationsController } from './conversations.controller';

/** Operator reads of the worker's audit trail; routes live under /admin (basic auth). */
@Module({
  controllers: [ConversationsController, AuditExportController],
  providers: [AuditReader],
})
export class AuditModule {}
