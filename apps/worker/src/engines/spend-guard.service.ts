import { Injectable, Logger } from '@nestjs/common';
import { CostLedger } from '../costs/cost-ledger.service';
import { IdentityMetrics } from '../identity/identity-metrics.service';
import { textsFor } from '../profiles/fixed-texts';
import type { EngineTurn } from './assistant-engine';

export const DAILY_TOKEN_CAP = 'daily token cap';
export const DAILY_CREDIT_CAP = 'daily credit cap';

export type SpendVerdict = { stop: false; paidToolsOff: boolean } | { stop: true };

/**
 * Checked by every engine before every model call (after a round of tools, so their credits
 * count): a cap stops spending mid-turn, not only at the next message.
 */
@Injectable()
export class SpendGuard {
  private readonly logger = new Logger(SpendGuard.name);

  constructor(
    private readonly costs: CostLedger,
    private readonly identityMetrics: IdentityMetrics,
  ) {}

  /** On `stop`, the turn's answer and cap reason are set; the engine closes what is pending. */
  async check(turn: EngineTurn): Promise<SpendVerdict> {
    const cap = await this.costs.capReached(turn.ctx.threadId);
    // The daily credit cap is shared by every visitor: it switches the paid tools off and the
    // conversation goes on, instead of sending everyone to a person for the rest of the day.
    if (!cap || cap === DAILY_CREDIT_CAP) return { stop: false, paidToolsOff: cap === DAILY_CREDIT_CAP };
    turn.progress.capReason = cap;
    const texts = textsFor(turn.profile, turn.language);
    if (cap === DAILY_TOKEN_CAP) {
      // Shared too: the visitor is told plainly and may still ask for a person; no handoff for everyone.
      this.logger.warn({ threadId: turn.ctx.threadId }, 'daily token cap reached: answering without the model');
      this.identityMetrics.countDailyCap('answered_without_model');
      turn.progress.answer = texts.dailyLimit;
    } else {
      turn.progress.answer = texts.capReached;
    }
    return { stop: true };
  }
}
