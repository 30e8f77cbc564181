import { Inject, Injectable } from '@nestjs/common';
import { CHAT_CHANNEL, type ChatChannel } from '../../channel/chat-channel';
import { FALLBACK_ANSWER } from '../../engines/answer-texts';
import { JobLockLostError } from '../../state/turn-progress.store';
import { asLanguage } from '../../profiles/language';
import { HandoffService } from '../../threads/handoff.service';
import { ThreadStateStore } from '../../threads/thread-state.store';
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
    private readonly threadState: ThreadStateStore,
    private readonly recorder: TurnRecorder,
  ) {}

  async send(turn: TurnContext): Promise<void> {
    const { job, progress } = turn;
    if (progress.done || progress.replyMessageIds.length > 0) return;
    let messageAt: number | undefined;
    try {
      const message = await this.channel.read(job, job.messageId);
      if (!this.channel.answerable(message).answer) return;
      messageAt = message.sentAt ?? job.occurredAt;
      const language = asLanguage((await this.threadState.get(turn.ref)).language) ?? 'en';
      // Out of hours the visitor is also told when a person answers (the thread is handed off anyway).
      const plan = this.handoff.plan(language, false);
      const text = plan.closedNote ? `${FALLBACK_ANSWER} ${plan.closedNote}` : FALLBACK_ANSWER;
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
}
