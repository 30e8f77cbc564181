import { Controller, Get, Header, Param, Query, UsePipes } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OutcomeReader, utcDay } from '@app/audit';
import { adminValidationPipe } from '../audit/admin-validation.pipe';
import { AuditReader } from '../audit/audit-reader.service';
import { ConversationParamsDto } from '../audit/conversation-params.dto';
import { NoQueryDto } from '../audit/no-query.dto';
import { KnowledgeGapsReader } from '../knowledge/knowledge-gaps.reader';
import { CONSOLE_STYLESHEET } from './console-css';
import { ConsoleQueryDto } from './console-query.dto';
import { conversationPage } from './conversation-page';
import { conversationsPage } from './conversations-page';
import { layout } from './html';

const HTML = 'text/html; charset=utf-8';
/** Most conversations one page lists (the aggregates count them all). */
const LIST_LIMIT = 500;

/**
 * The operator console: server-rendered pages over the same reads as the JSON routes (outcomes,
 * audit, knowledge gaps). Behind the admin basic auth like every /admin route; HTML for people,
 * so it stays out of the API document.
 */
@ApiExcludeController()
@Controller('admin')
@UsePipes(adminValidationPipe)
export class ConsoleController {
  constructor(
    private readonly outcomes: OutcomeReader,
    private readonly audit: AuditReader,
    private readonly gaps: KnowledgeGapsReader,
  ) {}

  @Get()
  @Header('content-type', HTML)
  @Header('cache-control', 'no-store')
  async home(@Query() query: ConsoleQueryDto): Promise<string> {
    const range = query.range();
    const today = utcDay();
    const [report, spend, gaps] = await Promise.all([
      this.outcomes.report({
        ...range,
        outcome: query.outcome,
        profile: query.profile,
        language: query.language,
        limit: query.thread ? 1000 : LIST_LIMIT,
      }),
      this.audit.dayCostsAndCaps(today),
      this.gaps.latest(20),
    ]);
    return layout('Conversations', conversationsPage({ query, range, report, today: { day: today, ...spend }, gaps }));
  }

  @Get('console/conversations/:threadId')
  @Header('content-type', HTML)
  @Header('cache-control', 'no-store')
  async conversation(@Param() { threadId }: ConversationParamsDto, @Query() _query: NoQueryDto): Promise<string> {
    const [turns, totals] = await Promise.all([this.audit.thread(threadId), this.audit.threadCosts(threadId)]);
    const portalId = turns[0]?.portalId;
    const outcome = portalId ? await this.outcomes.find(portalId, threadId) : undefined;
    return layout(`Conversation ${threadId}`, conversationPage({ threadId, turns, totals, outcome }));
  }

  @Get('console/console.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'private, max-age=300')
  stylesheet(@Query() _query: NoQueryDto): string {
    return CONSOLE_STYLESHEET;
  }
}
