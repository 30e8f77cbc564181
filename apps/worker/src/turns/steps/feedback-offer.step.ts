import { Injectable } from '@nestjs/common';
import { OutcomeConfig } from '../../config/config-sections';
import type { QuickReply } from '../../hubspot/hubspot.types';
import { OutcomeSignalsStore } from '../../outcomes/outcome-signals.store';
import { feedbackQuickReplies, offersFeedback } from '../../profiles/feedback-replies';
import { textsFor } from '../../profiles/fixed-texts';
import { threadLanguage } from '../../threads/visitor-language';
import type { ReadyTurn } from '../turn-context';

/**
 * Whether the model's answer of this turn carries the feedback buttons: every
 * FEEDBACK_EVERY_N_ANSWERS-th answer of the thread, and only a plain answer (no handoff, fallback,
 * cap or screened text). The caller saves the decision with the reply parts, before the post, so
 * the buttons go out once, with the answer, under redelivery.
 */
@Injectable()
export class FeedbackOfferStep {
  constructor(
    private readonly signals: OutcomeSignalsStore,
    private readonly config: OutcomeConfig,
  ) {}

  async buttonsFor(turn: ReadyTurn): Promise<QuickReply[] | undefined> {
    const { progress, ref, thread } = turn;
    if (this.config.feedbackEveryNAnswers <= 0 || !progress.answer) return undefined;
    if (progress.handoffReason || progress.fallbackReason || progress.capReason || progress.screenedReason) {
      return undefined;
    }
    // Answers counted so far (each turn's audit counts its answer once it ended): this one is the next.
    const answered = Number((await this.signals.read(ref)).answers ?? 0) || 0;
    if (!offersFeedback(answered + 1, this.config.feedbackEveryNAnswers)) return undefined;
    return feedbackQuickReplies(textsFor(thread.profile, threadLanguage(thread)));
  }
}
