import { BadRequestException, Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { AuditReader } from './audit-reader.service';

const THREAD_ID = /^\d{1,20}$/;

/** An operator's view of one HubSpot thread: every turn's audit record and what it cost. */
@Controller('admin/conversations')
export class ConversationsController {
  constructor(private readonly audit: AuditReader) {}

  @Get(':threadId')
  async show(@Param('threadId') threadId: string) {
    if (!THREAD_ID.test(threadId)) throw new BadRequestException('threadId must be a HubSpot thread id (digits)');
    const [turns, totals] = await Promise.all([this.audit.thread(threadId), this.audit.threadCosts(threadId)]);
    if (turns.length === 0 && totals.turns === 0) {
      throw new NotFoundException(`no audit records for thread ${threadId} (none yet, or older than the retention)`);
    }
    return { threadId, totals, turns };
  }
}
