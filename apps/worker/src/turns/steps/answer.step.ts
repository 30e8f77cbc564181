import { Injectable, Logger } from '@nestjs/common';
import { HubSpotConfig } from '../../config/config-sections';
import { splitReply } from '../../hubspot/reply-formatter';
import { textsFor } from '../../profiles/fixed-texts';
import { threadLanguage } from '../../threads/visitor-language';
import type { ReadyTurn } from '../turn-context';
import { AssistantStep } from './assistant.step';
import { DirectAnswerStep } from './direct-answer.step';
import { FeedbackOfferStep } from './feedback-offer.step';
import { HandoffFollowUpStep } from './handoff-follow-up.step';
import { ReplyStep } from './reply.step';

/**
 * The answer of a resolved turn: directly (no model) or with the model; then the reply, posted
 * once (ReplyStep), and a handoff's note and assignment (HandoffFollowUpStep).
 */
@Injectable()
export class AnswerStep {
  private readonly logger = new Logger(AnswerStep.name);

  constructor(
    private readonly directAnswers: DirectAnswerStep,
    private readonly assistant: AssistantStep,
    private readonly replies: ReplyStep,
    private readonly followUp: HandoffFollowUpStep,
    private readonly hubspot: HubSpotConfig,
    private readonly feedback: FeedbackOfferStep,
  ) {}

  async answer(turn: ReadyTurn): Promise<void> {
    const { progress } = turn;
    let fromModel = false;
    if (progress.answer === undefined) {
      const direct = await this.directAnswers.answer(turn);
      if (direct === null)
        [progress.answer, progress.replyParts] = ['', []]; // limited: stay silent
      else if (direct !== undefined) progress.answer = direct;
      else {
        await this.assistant.run(turn);
        fromModel = true;
      }
    }
    if (progress.fallbackReason) {
      this.logger.warn(
        { threadId: turn.ref.threadId, reason: progress.fallbackReason },
        'answering with the fallback text',
      );
    }
    // Saved together with the first part's in-flight mark (ReplyStep), before the post.
    const answer = progress.answer ?? textsFor(turn.thread.profile, threadLanguage(turn.thread)).fallback;
    if (!progress.replyParts) {
      // Decided once, with the parts: a retry posts what the first attempt decided.
      if (fromModel) progress.replyQuickReplies = await this.feedback.buttonsFor(turn);
      progress.replyParts = splitReply(answer, this.hubspot.replyMaxChars);
    }
    // One reply to the burst, on the channel of its last message.
    const last = turn.members.at(-1) ?? turn.message;
    await this.replies.post(turn, last);
    await this.followUp.run(turn, last, threadLanguage(turn.thread));
  }
}
