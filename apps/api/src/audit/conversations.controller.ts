import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApi } from '../docs/admin-api.decorator';
import { ErrorResponseDto } from '../docs/error-response.dto';
import { AuditReader } from './audit-reader.service';
import { ConversationParamsDto } from './conversation-params.dto';
import { ConversationViewDto } from './cost-totals.dto';
import { NoQueryDto } from './no-query.dto';

/** An operator's view of one HubSpot thread: every turn's audit record and what it cost. */
@AdminApi()
@Controller('admin/conversations')
export class ConversationsController {
  constructor(private readonly audit: AuditReader) {}

  @Get(':threadId')
  @ApiOperation({ summary: "One thread's audit records and what it cost" })
  @ApiOkResponse({ type: ConversationViewDto })
  @ApiBadRequestResponse({
    description: 'threadId is not digits, or an unknown query parameter',
    type: ErrorResponseDto,
  })
  @ApiNotFoundResponse({ description: 'no records (none yet, or older than the retention)', type: ErrorResponseDto })
  async show(@Param() { threadId }: ConversationParamsDto, @Query() _query: NoQueryDto) {
    const [turns, totals] = await Promise.all([this.audit.thread(threadId), this.audit.threadCosts(threadId)]);
    if (turns.length === 0 && totals.turns === 0) {
      throw new NotFoundException(`no audit records for thread ${threadId} (none yet, or older than the retention)`);
    }
    return { threadId, totals, turns };
  }
}
