import { Inject, Injectable } from '@nestjs/common';
import { ASSISTANT_ENGINE, type AssistantEngine } from '../../engines/assistant-engine';
import { IdentityGate } from '../../identity/identity-gate.service';
import { textsFor } from '../../profiles/fixed-texts';
import { tappedQuickReply } from '../../profiles/quick-replies';
import { asksForPerson } from '../../threads/handoff-intent';
import { HandoffService } from '../../threads/handoff.service';
import { threadLanguage } from '../../threads/visitor-language';
import type { ReadyTurn } from '../turn-context';

/**
 * Answers that need no model, in order: asking for a person, the per-visitor limits, identity
 * (a typed code, the staff gate), a button tap. `undefined`: the model answers; `null`: post
 * nothing (a limited visitor, already told once).
 */
@Injectable()
export class DirectAnswerStep {
  constructor(
    private readonly handoff: HandoffService,
    private readonly identityGate: IdentityGate,
    @Inject(ASSISTANT_ENGINE) private readonly engine: AssistantEngine,
  ) {}

  async answer(turn: ReadyTurn): Promise<string | null | undefined> {
    const { ref, progress, save, thread, message } = turn;
    // In the thread's language, which this message may just have set (VisitorLanguage).
    const language = threadLanguage(thread);
    const texts = textsFor(thread.profile, language);
    if (asksForPerson(message.text, thread.profile.handoffPhrases)) {
      progress.handoffReason = 'the visitor asked for a person';
      await this.handoff.handOff(ref, progress.handoffReason);
      return texts.handoff;
    }
    if (!progress.visitorCounted) {
      const limited = await this.identityGate.visitorLimit(ref, message.senderId ?? `thread-${ref.threadId}`);
      progress.visitorLimited = limited?.limit;
      progress.visitorCounted = true;
      await save();
      if (limited) return limited.notice ? texts.visitorLimit : null;
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
    // A button of any of the profile's languages; confirmed in the thread's.
    const tapped = tappedQuickReply(thread.profile, message.text, language);
    if (!tapped) return undefined;
    // Record the tap and the confirmation in the history so the model continues the flow.
    await this.record(turn, message.text, tapped.confirmation);
    return tapped.confirmation;
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
