import { Inject, Injectable } from '@nestjs/common';
import { ASSISTANT_ENGINE, type AssistantEngine } from '../../engines/assistant-engine';
import { IdentityGate, threadLanguage } from '../../identity/identity-gate.service';
import { IDENTITY_TEXTS } from '../../identity/identity-texts';
import { findCode } from '../../identity/verification-codes.service';
import type { AssistantProfile } from '../../profiles/assistant-profile';
import type { ResolvedThread } from '../../threads/thread-context.service';
import type { ChannelMessage } from '../../channel/chat-channel';
import { asksForPerson, normalizeChatText } from '../../threads/handoff-intent';
import { HandoffService } from '../../threads/handoff.service';
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
    if (asksForPerson(message.text, thread.profile.handoffPhrases)) {
      progress.handoffReason = 'the visitor asked for a person';
      await this.handoff.handOff(ref, progress.handoffReason);
      return this.handoff.message;
    }
    if (!progress.visitorCounted) {
      const limited = await this.identityGate.visitorLimit(ref, message.senderId ?? `thread-${ref.threadId}`);
      progress.visitorLimited = limited?.limit;
      progress.visitorCounted = true;
      await save();
      if (limited) return limited.notice ? IDENTITY_TEXTS[threadLanguage(thread)].visitorLimit : null;
    }
    if (!message.text.trim()) {
      // Only a picture, a file or nothing at all: no model call, the visitor is told what works.
      const text = IDENTITY_TEXTS[threadLanguage(thread)].attachmentOnly;
      await this.record(turn, `(sent ${message.attachments.join('; ') || 'an empty message'})`, text);
      return text;
    }
    const gated = await this.identityGate.answer(ref, thread, message.text);
    if (gated) {
      if (gated.verified) progress.identity = 'verified';
      if (gated.recordAs) await this.record(turn, gated.recordAs, gated.text);
      return gated.text;
    }
    const tapped = tappedQuickReply(thread.profile, message.text);
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

/** A tap sends the label; a visitor may type it or the value, in any case, with or without diacritics, punctuation or emoji. */
function tappedQuickReply(profile: AssistantProfile, text: string) {
  const typed = normalizeChatText(text);
  if (typed.length === 0) return undefined;
  return profile.welcome.quickReplies.find(
    (q) => normalizeChatText(q.label) === typed || normalizeChatText(q.value) === typed,
  );
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
  return !tappedQuickReply(thread.profile, text);
}
