import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { OutcomeReader } from '@app/audit';
import { AdminApi } from '../docs/admin-api.decorator';
import { ErrorResponseDto } from '../docs/error-response.dto';
import { OutcomeReportDto } from './outcome-report.dto';
import { OutcomesQueryDto } from './outcomes-query.dto';

/** Conversation outcomes: what the assistant resolved on its own, why others went to a person, CSAT, cost. */
@AdminApi()
@Controller('admin/outcomes')
export class OutcomesController {
  constructor(private readonly outcomes: OutcomeReader) {}

  @Get()
  @ApiOperation({
    summary: 'Conversation outcomes with per-day aggregates',
    description:
      'Conversations (HubSpot threads) whose outcome the worker decided (RESOLUTION_WINDOW_HOURS after their last ' +
      'activity): resolved, handed_off (with a category) or abandoned, filtered by start date, outcome, profile, ' +
      'language and portal; per UTC day and in total: conversations by outcome, resolution rate, CSAT and cost ' +
      'per resolved conversation.',
  })
  @ApiOkResponse({ type: OutcomeReportDto })
  @ApiBadRequestResponse({
    description: 'a filter out of range, or an unknown query parameter',
    type: ErrorResponseDto,
  })
  async list(@Query() query: OutcomesQueryDto): Promise<OutcomeReportDto> {
    const { fromMs, toMs } = query.range();
    return this.outcomes.report({
      fromMs,
      toMs,
      outcome: query.outcome,
      profile: query.profile,
      language: query.language,
      portalId: query.portalId,
      limit: query.limit ?? 100,
    });
  }
}
