import { Controller, Get, NotFoundException, Param, Query, UsePipes } from '@nestjs/common';
import { adminValidationPipe } from './admin-validation.pipe';
import { AuditReader } from './audit-reader.service';
import { ConversationParamsDto } from './conversation-params.dto';
import { NoQueryDto } from './no-query.dto';

/** An operator's view of one HubSpot thread: every turn's audit record and what it cost. */
@Controller('admin/conversations')
@UsePipes(adminValidationPipe)
export class ConversationsController {
  constructor(private readonly audit: AuditReader) {}

  @Get(':threadId')
  async show(@Param() { threadId }: ConversationParamsDto, @Query() _query: NoQueryDto) {
    const [turns, totals] = await Promise.all([this.audit.thread(threadId), this.audit.threadCosts(threadId)]);
    if (turns.length === 0 && totals.turns === 0) {
      throw new NotFoundException(`no audit records for thread ${threadId} (none yet, or older than the retention)`);
    }
    return { threadId, totals, turns };
  }
}
