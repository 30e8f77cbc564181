import { IsIn, IsOptional, Matches } from 'class-validator';
import { CONVERSATION_OUTCOMES, type ConversationOutcome } from '@app/audit';
import { emptyIsUnset, IsTime, NotAfterTo, timeOf } from '../audit/audit-export-query.dto';

const WEEK_MS = 7 * 86_400_000;

/**
 * `GET /admin?from=&to=&outcome=&profile=&language=&thread=`: the console's filter form. A form
 * sends every field, so an empty one means "any" (the JSON route's rules otherwise).
 */
export class ConsoleQueryDto {
  @emptyIsUnset
  @IsOptional()
  @IsTime()
  @NotAfterTo()
  from?: string;

  @emptyIsUnset
  @IsOptional()
  @IsTime()
  to?: string;

  @emptyIsUnset
  @IsOptional()
  @IsIn(CONVERSATION_OUTCOMES, { message: `outcome must be one of ${CONVERSATION_OUTCOMES.join(', ')}` })
  outcome?: ConversationOutcome;

  @emptyIsUnset
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,39}$/, { message: 'profile must be a profile name (a-z, 0-9, _ or -)' })
  profile?: string;

  @emptyIsUnset
  @IsOptional()
  @Matches(/^[a-z]{2}$/, { message: 'language must be a two-letter language code' })
  language?: string;

  /** Search by HubSpot thread id. */
  @emptyIsUnset
  @IsOptional()
  @Matches(/^\d{1,20}$/, { message: 'thread must be a HubSpot thread id (digits)' })
  thread?: string;

  /** The range in ms since the epoch: the 7 days up to now by default (call after validation). */
  range(now = Date.now()): { fromMs: number; toMs: number } {
    // A date alone as `to` means that whole day.
    const toMs = this.to === undefined ? now : timeOf(this.to) + (this.to.length === 10 ? 86_399_999 : 0);
    const fromMs = this.from === undefined ? toMs - WEEK_MS : timeOf(this.from);
    return { fromMs, toMs };
  }
}
