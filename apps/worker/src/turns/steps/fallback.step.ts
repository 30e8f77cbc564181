import { Inject, Injectable } from '@nestjs/common';
import { CHAT_CHANNEL, type ChatChannel } from '../../channel/chat-channel';
import { textsFor, type FixedTexts } from '../../profiles/fixed-texts';
import { ProfileRegistry } from '../../profiles/profile-registry.service';
import { JobLockLostError } from '../../state/turn-progress.store';
import type { Language } from '../../profiles/language';
import { HandoffService } from '../../threads/handoff.service';
import { ThreadStateStore } from '../../threads/thread-state.store';
import { VisitorLanguage, languageOf } from '../../threads/visitor-language';
import type { TurnContext } from '../turn-context';
import { TurnRecorder } from '../turn-recorder';
import { HandoffFollowUpStep } from './handoff-follow-up.step';
import { ReplyStep } from './reply.step';

/**
 * After a message's last attempt failed: the visitor is told once that a colleague will follow up,
 * and that is made true (the thread goes to a person). Best effort: the job stays failed either way.
 */
@Injectable()
export class FallbackStep {
  constructor(
    @Inject(CHAT_CHANNEL) private readonly channel: ChatChannel,
    private readonly handoff: HandoffService,
    private readonly replies: ReplyStep,
    private readonly followUp: HandoffFollowUpStep,
    private readonly recorder: TurnRecorder,
    private readonly threadState: ThreadStateStore,
    private readonly profiles: ProfileRegistry,
    private readonly language: VisitorLanguage,
  ) {}

  async send(turn: TurnContext): Promise<void> {
    const { job, progress } = turn;
    if (progress.done || progress.replyMessageIds.length > 0) return;
    let messageAt: number | undefined;
    try {
      const message = await this.channel.read(job, job.messageId);
      if (!this.channel.answerable(message).answer) return;
      messageAt = message.sentAt ?? job.occurredAt;
      const { language, texts } = await this.textsOf(turn, message.text);
      // Out of hours the visitor is also told when a person answers (the thread is handed off anyway).
      const plan = this.handoff.plan(texts, language, false);
      const text = plan.closedNote ? `${texts.fallback} ${plan.closedNote}` : texts.fallback;
      progress.answer = text;
      progress.fallbackReason ??= 'turn failed';
      progress.replyParts = [text];
      progress.handoffClosedUntil ??= plan.closedUntil;
      await this.handoff.handOff(turn.ref, 'a turn failed', job.messageId);
      progress.handoffReason = 'a turn failed';
      await this.replies.post(turn, message);
      await this.followUp.run(turn, message, language);
      progress.done = true;
      await this.recorder.end(turn, { outcome: 'fallback', reason: progress.fallbackReason, messageAt });
    } catch (err) {
      if (err instanceof JobLockLostError) throw err;
      // Not even the fallback reached the visitor: the audit says so; the job stays failed.
      const reason = `fallback not posted: ${(err as Error).message}`.slice(0, 300);
      await this.recorder.end(turn, { outcome: 'failed', reason, messageAt }).catch(() => undefined);
      throw err;
    }
  }

  /**
   * In the message's language when it shows one, else the thread's: read from its stored state
   * only (the turn failed, perhaps on a HubSpot read: the fallback makes no call it can avoid).
   */
  private async textsOf(turn: TurnContext, text: string): Promise<{ language: Language; texts: FixedTexts }> {
    const state = await this.threadState.get(turn.ref);
    const profile = this.profiles.get(state.profile);
    const language = this.language.detect(text) ?? languageOf(state, profile);
    return { language, texts: textsFor(profile, language) };
  }
}
