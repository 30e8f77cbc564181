import { Inject, Injectable } from '@nestjs/common';
import { CHAT_CHANNEL, type ChatChannel } from '../../channel/chat-channel';
import { HandoffService } from '../../threads/handoff.service';
import { ThreadContext } from '../../threads/thread-context.service';
import { VisitorLanguage } from '../../threads/visitor-language';
import type { ResolvedTurn, TurnContext } from '../turn-context';
import { skipReason } from '../turn-outcome';

/** What the turn does with its message: answer it, or skip it (audited when the visitor wrote it). */
export type Resolution =
  | { turn: ResolvedTurn; messageAt: number }
  | { skip: string; audit: false }
  | { skip: string; audit: true; messageAt: number };

/**
 * The first steps of a turn that holds the thread's turn: read the message and check who sent it
 * (an agent's own message silences the bot); resolve the thread (profile, identity, handoff,
 * channel); follow the visitor's language.
 */
@Injectable()
export class ResolveStep {
  constructor(
    @Inject(CHAT_CHANNEL) private readonly channel: ChatChannel,
    private readonly threadContext: ThreadContext,
    private readonly handoffs: HandoffService,
    private readonly language: VisitorLanguage,
  ) {}

  async resolve(turn: TurnContext): Promise<Resolution> {
    const { job, progress, ref } = turn;
    const message = await this.channel.read(job, job.messageId);
    const role = this.channel.answerable(message);
    if (!role.answer) {
      // A person wrote in the thread: the bot stays silent there from now on.
      if (role.takeover) await this.handoffs.onAgentMessage(ref, role.takeover);
      return { skip: role.reason, audit: false };
    }
    const messageAt = message.sentAt ?? job.occurredAt;
    // Read under the lock: the thread's previous turn may have changed it (contact, handoff).
    const thread = await this.threadContext.resolve(ref, message.senderEmail);
    progress.profile = thread.profile.name;
    progress.identity ??= thread.identity;
    const answered = this.threadContext.answersChannel(thread.profile, message.via);
    const reason = skipReason(answered, message, thread, progress);
    if (reason) return { skip: reason, audit: true, messageAt };
    // Every fixed text of the turn and the model's language line follow this message's language.
    const observed = await this.language.observe(ref, thread, message.text);
    return { turn: { ...turn, message, thread: observed }, messageAt };
  }
}
