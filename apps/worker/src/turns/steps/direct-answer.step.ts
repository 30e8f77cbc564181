import { Inject, Injectable } from '@nestjs/common';
import type { FeedbackKind } from '@app/audit';
import { OutcomeConfig } from '../../config/config-sections';
import { ASSISTANT_ENGINE, type AssistantEngine } from '../../engines/assistant-engine';
import { IdentityGate } from '../../identity/identity-gate.service';
import { findCode } from '../../identity/verification-codes.service';
import { OutcomeMetrics } from '../../metrics/outcome-metrics.service';
import { OutcomeSignalsStore } from '../../outcomes/outcome-signals.store';
import { tappedFeedback } from '../../profiles/feedback-replies';
import { textsFor, type FixedTexts } from '../../profiles/fixed-texts';
import { tappedQuickReply } from '../../profiles/quick-replies';
import type { ResolvedThread } from '../../threads/thread-context.service';
import type { ChannelMessage } from '../../channel/chat-channel';
import { asksForPerson } from '../../threads/handoff-intent';
import { HandoffService } from '../../threads/handoff.service';
import { threadLanguage } from '../../threads/visitor-language';
import type { ReadyTurn } from '../turn-context';

/**
 * Answers that need no model, in order: asking for a person, the per-visitor limits, identity
 * (a typed code, the staff gate), a feedback or welcome button tap. `undefined`: the model answers; `null`: post
 * nothing (a limited visitor, already told once).
 */
@Injectable()
export class DirectAnswerStep {
  constructor(
    private readonly handoff: HandoffService,
    private readonly identityGate: IdentityGate,
    @Inject(ASSISTANT_ENGINE) private readonly engine: AssistantEngine,
    private readonly signals: OutcomeSignalsStore,
    private readonly metrics: OutcomeMetrics,
    private readonly outcomes: OutcomeConfig,
  ) {}

  async answer(turn: ReadyTurn): Promise<string | null | undefined> {
    const { ref, progress, save, thread, message } = turn;
    // In the thread's language, which this message may just have set (VisitorLanguage).
    const language = threadLanguage(thread);
    const texts = textsFor(thread.profile, language);
    if (asksForPerson(message.text, thread.profile.handoffPhrases)) {
      return this.handOff(turn, texts, 'the visitor asked for a person', true);
    }
    if (!progress.visitorCounted) {
      const limited = await this.identityGate.visitorLimit(ref, message.senderId ?? `thread-${ref.threadId}`);
      progress.visitorLimited = limited?.limit;
      progress.visitorCounted = true;
      await save();
      if (limited) return limited.notice ? texts.visitorLimit : null;
    }
    if (!message.text.trim() && message.attachments.length > 0 && thread.profile.attachmentOnly === 'handoff') {
      // This profile's visitors send documents a person must look at: no model call.
      return this.handOff(turn, texts, 'the visitor sent only an attachment', false);
    }
    if (!message.text.trim()) {
      // Only a picture, a file or nothing at all: no model call, the visitor is told what works.
      const text = texts.attachmentOnly;
      await this.record(turn, `(sent ${message.attachments.join('; ') || 'an empty message'})`, text);
      return text;
    }
    const gated = await this.identityGate.answer(ref, thread, message.text);
    if (gated) {
      if (gated.verified) progress.identity = 'verified';
      if (gated.recordAs) await this.record(turn, gated.recordAs, gated.text);
      return gated.text;
    }
    const feedback = this.outcomes.feedbackEveryNAnswers > 0 && tappedFeedback(thread.profile, message.text);
    if (feedback) return this.onFeedback(turn, texts, feedback);
    // A button of any of the profile's languages; confirmed in the thread's.
    const tapped = tappedQuickReply(thread.profile, message.text, language);
    if (!tapped) return undefined;
    // Record the tap and the confirmation in the history so the model continues the flow.
    await this.record(turn, message.text, tapped.confirmation);
    return tapped.confirmation;
  }

  /**
   * A feedback button: counted once per message (redeliveries too); "That helped" is thanked,
   * "I need more help" hands off like asking for a person.
   */
  private async onFeedback(turn: ReadyTurn, texts: FixedTexts, kind: FeedbackKind): Promise<string> {
    const { ref, job, message } = turn;
    if (await this.signals.onFeedback(ref, job.messageId, kind)) this.metrics.countFeedback(kind);
    if (kind === 'more_help') return this.handOff(turn, texts, 'feedback: the visitor needs more help', true);
    await this.record(turn, message.text, texts.feedbackThanks);
    return texts.feedbackThanks;
  }

  /**
   * A handoff without the model, in the visitor's language; out of hours with
   * HANDOFF_OUTSIDE_HOURS=stay (when `canStay`) the bot stays on and offers to take a message.
   */
  private async handOff(turn: ReadyTurn, texts: FixedTexts, reason: string, canStay: boolean): Promise<string> {
    const { ref, progress, job, thread, message } = turn;
    const plan = this.handoff.plan(texts, threadLanguage(thread), canStay);
    progress.handoffClosedUntil = plan.closedUntil;
    if (!plan.handOff) {
      progress.handoffStayed = reason;
      // In the history, so the model knows it offered to take a message when the visitor writes it.
      await this.record(turn, message.text, plan.text);
      return plan.text;
    }
    progress.handoffReason = reason;
    await this.handoff.handOff(ref, reason, job.messageId);
    return plan.text;
  }

  private record(turn: ReadyTurn, userText: string, answer: string): Promise<void> {
    const { ref, progress, save } = turn;
    return this.engine.record(
      { ...ref, messageId: turn.job.messageId, progress, save: () => save() },
      userText,
      answer,
    );
  }
}

/**
 * Could this message only ever reach the model (nothing above answers it directly)? Decided without
 * an effect: a person asked for, a code typed while one is pending, the staff gate, a tap, or no text
 * at all say no. The per-visitor limit is not about the text: it applies to a turn.
 */
export function plainForModel(message: ChannelMessage, thread: ResolvedThread, codePending: boolean): boolean {
  const { text } = message;
  if (!text.trim()) return false;
  if (asksForPerson(text, thread.profile.handoffPhrases)) return false;
  if (codePending && findCode(text)) return false;
  if (thread.profile.staffOnly && !thread.isStaff) return false;
  if (tappedFeedback(thread.profile, text)) return false;
  return !tappedQuickReply(thread.profile, text);
}
