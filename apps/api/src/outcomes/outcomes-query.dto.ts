import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CONVERSATION_OUTCOMES, type ConversationOutcome } from '@app/audit';
import { emptyIsUnset, IsTime, NotAfterTo, timeOf } from '../audit/audit-export-query.dto';

const WEEK_MS = 7 * 86_400_000;

/** `GET /admin/outcomes?from=&to=&outcome=&profile=&language=&portalId=&limit=` */
export class OutcomesQueryDto {
  @ApiPropertyOptional({
    description:
      'conversations that started at or after this, ISO 8601 date or date-time (default: 7 days before `to`)',
    example: '2026-11-30',
  })
  @emptyIsUnset
  @IsOptional()
  @IsTime()
  @NotAfterTo()
  from?: string;

  @ApiPropertyOptional({
    description: 'conversations that started at or before this, ISO 8601 (default: now)',
    example: '2026-12-07',
  })
  @emptyIsUnset
  @IsOptional()
  @IsTime()
  to?: string;

  @ApiPropertyOptional({ enum: CONVERSATION_OUTCOMES, description: 'only conversations with this outcome' })
  @IsOptional()
  @IsIn(CONVERSATION_OUTCOMES, { message: `outcome must be one of ${CONVERSATION_OUTCOMES.join(', ')}` })
  outcome?: ConversationOutcome;

  @ApiPropertyOptional({ description: 'only this assistant profile', example: 'support' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,39}$/, { message: 'profile must be a profile name (a-z, 0-9, _ or -)' })
  profile?: string;

  @ApiPropertyOptional({ description: 'only this thread language (en, ro, nl)', example: 'ro' })
  @IsOptional()
  @Matches(/^[a-z]{2}$/, { message: 'language must be a two-letter language code' })
  language?: string;

  @ApiPropertyOptional({ description: 'only this HubSpot portal', example: '1234567' })
  @IsOptional()
  @Matches(/^\d{1,20}$/, { message: 'portalId must be digits' })
  portalId?: string;

  @ApiPropertyOptional({
    description: 'most conversations listed (aggregates count all)',
    minimum: 1,
    maximum: 1000,
    default: 100,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be between 1 and 1000' })
  @Max(1000, { message: 'limit must be between 1 and 1000' })
  limit?: number;

  /** The range in ms since the epoch, defaults applied (call after validation). */
  range(now = Date.now()): { fromMs: number; toMs: number } {
    const toMs = this.to === undefined ? now : timeOf(this.to);
    const fromMs = this.from === undefined ? toMs - WEEK_MS : timeOf(this.from);
    return { fromMs, toMs };
  }
}
