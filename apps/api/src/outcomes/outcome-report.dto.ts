import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CONVERSATION_OUTCOMES,
  HANDOFF_CATEGORIES,
  type ConversationOutcome,
  type ConversationOutcomeRecord,
  type HandoffCategory,
  type OutcomeDay,
  type OutcomeReport,
  type OutcomeTotals,
} from '@app/audit';

export class FeedbackCountsDto {
  @ApiProperty({ description: '"That helped" taps', example: 12 })
  helped!: number;

  @ApiProperty({ description: '"I need more help" taps (each hands off)', example: 3 })
  moreHelp!: number;
}

export class ConversationOutcomeDto implements ConversationOutcomeRecord {
  @ApiProperty({ enum: [1] })
  version!: 1;

  @ApiProperty({ example: '1234567' })
  portalId!: string;

  @ApiProperty({ description: 'HubSpot thread', example: '3624100517' })
  threadId!: string;

  @ApiProperty({ enum: CONVERSATION_OUTCOMES })
  outcome!: ConversationOutcome;

  @ApiPropertyOptional({ enum: HANDOFF_CATEGORIES, description: 'why it was handed off (handed_off only)' })
  category?: HandoffCategory;

  @ApiPropertyOptional({ example: 'support' })
  profile?: string;

  @ApiPropertyOptional({ example: 'ro' })
  language?: string;

  @ApiProperty({ format: 'date-time', description: "the conversation's first turn" })
  startedAt!: string;

  @ApiPropertyOptional({ format: 'date-time', description: "the bot's first answer" })
  firstAnswerAt?: string;

  @ApiProperty({ format: 'date-time' })
  lastActivityAt!: string;

  @ApiProperty({ format: 'date-time', description: 'when the outcome job decided it' })
  decidedAt!: string;

  @ApiProperty({ description: 'visitor messages answered (turns)', example: 3 })
  turns!: number;

  @ApiProperty({ description: 'turns that ended with an answer', example: 3 })
  answers!: number;

  @ApiProperty({ type: FeedbackCountsDto })
  feedback!: FeedbackCountsDto;

  @ApiProperty({ description: 'model tokens spent', example: 5400 })
  tokens!: number;

  @ApiProperty({ description: 'ListaFirme credits spent', example: 0.2 })
  credits!: number;
}

export class OutcomeTotalsDto implements OutcomeTotals {
  @ApiProperty({ example: 40 })
  conversations!: number;

  @ApiProperty({ description: 'conversations by outcome', example: { resolved: 28, handed_off: 8, abandoned: 4 } })
  byOutcome!: Record<ConversationOutcome, number>;

  @ApiProperty({ description: 'handed-off conversations by category', example: { visitor_request: 5 } })
  byCategory!: Record<HandoffCategory, number>;

  @ApiProperty({ type: Number, nullable: true, description: 'resolved / conversations', example: 0.7 })
  resolutionRate!: number | null;

  @ApiProperty({ type: FeedbackCountsDto })
  feedback!: FeedbackCountsDto;

  @ApiProperty({ type: Number, nullable: true, description: 'CSAT: helped / all feedback', example: 0.8 })
  csat!: number | null;

  @ApiProperty({ description: 'tokens spent by resolved conversations', example: 120000 })
  resolvedTokens!: number;

  @ApiProperty({ description: 'credits spent by resolved conversations', example: 1.4 })
  resolvedCredits!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'cost per resolved conversation, tokens', example: 4286 })
  tokensPerResolved!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'cost per resolved conversation, credits', example: 0.05 })
  creditsPerResolved!: number | null;
}

export class OutcomeDayDto extends OutcomeTotalsDto implements OutcomeDay {
  @ApiProperty({ description: 'UTC day the conversations started', example: '2026-12-07' })
  day!: string;
}

/** `GET /admin/outcomes` */
export class OutcomeReportDto implements OutcomeReport {
  @ApiProperty({ description: 'matching conversations', example: 40 })
  total!: number;

  @ApiProperty({ type: [ConversationOutcomeDto], description: 'newest first, at most `limit`' })
  conversations!: ConversationOutcomeDto[];

  @ApiProperty({ type: [OutcomeDayDto], description: 'per UTC day of start, oldest first (every match)' })
  days!: OutcomeDayDto[];

  @ApiProperty({ type: OutcomeTotalsDto, description: 'the whole range (every match)' })
  totals!: OutcomeTotalsDto;
}
