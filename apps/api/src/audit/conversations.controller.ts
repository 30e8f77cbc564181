import { Controller, Get, NotFoundException, Param, Query, UsePipes } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBasicAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../docs/error-response.dto';
import { ADMIN_AUTH_SCHEME } from '../docs/api-docs.constants';
import { adminValidationPipe } from './admin-validation.pipe';
import { AuditReader } from './audit-reader.service';
import { ConversationParamsDto } from './conversation-params.dto';
import { ConversationViewDto } from './cost-totals.dto';
import { NoQueryDto } from './no-query.dto';

/** An operator's view of one HubSpot thread: every turn's audit record and what it cost. */
@ApiTags('admin')
@ApiBasicAuth(ADMIN_AUTH_SCHEME)
@ApiUnauthorizedResponse({ description: 'no or wrong admin credentials (429 after too many)', type: ErrorResponseDto })
@Controller('admin/conversations')
@UsePipes(adminValidationPipe)
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
