import { Inject, Injectable } from '@nestjs/common';
import { RateBudgetExhaustedError } from '../../budgets/rate-budget.service';
import { CHAT_CHANNEL, type ChannelMessage, type ChatChannel } from '../../channel/chat-channel';
import { UpstreamError } from '../../errors/upstream.error';
import type { TurnContext } from '../turn-context';

/** How long a reply post with an unknown outcome gets to land before we post it again. */
const REPLY_SETTLE_MS = 3000;

/**
 * Posts each reply part once: a part is marked in flight before its post; a part whose post was
 * interrupted is looked up in the thread (after a pause) before it is posted again.
 */
@Injectable()
export class ReplyStep {
  constructor(@Inject(CHAT_CHANNEL) private readonly channel: ChatChannel) {}

  async post(turn: TurnContext, to: ChannelMessage): Promise<void> {
    const { progress, save } = turn;
    const parts = progress.replyParts ?? [];
    for (let i = progress.replyMessageIds.length; i < parts.length; i++) {
      if (progress.replyInFlight === i) {
        const posted = await this.channel.findReply(to, parts[i]);
        if (posted) {
          progress.replyMessageIds.push(posted);
          progress.replyInFlight = undefined;
          // Marked as ours too, so its webhook is skipped unread like any reply we posted.
          await save(posted);
          continue;
        }
        // A post that timed out may still land: look once more after a pause before re-posting.
        if (progress.replyLookedUpAt === undefined) {
          progress.replyLookedUpAt = Date.now();
          await save();
          throw new UpstreamError(
            'hubspot',
            'reply outcome unknown; checking the thread again',
            true,
            undefined,
            REPLY_SETTLE_MS,
          );
        }
      }
      progress.replyInFlight = i;
      await save();
      let id: string;
      try {
        // The buttons (feedback) go under the last part only.
        const buttons = i === parts.length - 1 ? progress.replyQuickReplies : undefined;
        id = await this.channel.reply(to, parts[i], buttons);
      } catch (err) {
        // The channel answered with an error, or the request never left (no budget): nothing was
        // stored. Only a timeout leaves it unknown.
        if ((err instanceof UpstreamError && err.status !== undefined) || err instanceof RateBudgetExhaustedError) {
          progress.replyInFlight = undefined;
          await save();
        }
        throw err;
      }
      progress.replyMessageIds.push(id);
      progress.replyInFlight = undefined;
      await save(id);
    }
  }
}
