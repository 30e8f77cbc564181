import { Inject, Injectable } from '@nestjs/common';
import { RateBudgetExhaustedError } from '../../budgets/rate-budget.service';
import { CHAT_CHANNEL, type ChannelMessage, type ChatChannel } from '../../channel/chat-channel';
import { QueueConfig } from '../../config/config-sections';
import { IdentityGate } from '../../identity/identity-gate.service';
import { findCode } from '../../identity/verification-codes.service';
import { TurnProgressStore } from '../../state/turn-progress.store';
import type { ResolvedTurn, TurnContext } from '../turn-context';
import { plainForModel } from './direct-answer.step';

/**
 * Bursts: a visitor who types three short lines while a turn runs gets one answer to all three.
 * The messages waiting behind a turn's own message in the thread's line (the thread lock hands them
 * over when the turn is taken) join it as members while each is a plain visitor line for the model
 * from the same visitor on the same channel; the first that is not (an agent's message, our echo,
 * asking for a person, a code, a tap, an attachment alone) ends the burst and keeps its own turn.
 * The members are fixed in the turn's progress before its first effect: a retry answers the same
 * burst. After the reply, each member is marked answered by this turn: its own job then skips.
 */
@Injectable()
export class BurstStep {
  /** Messages one turn answers at most, its own included (1: every message has its own turn). */
  readonly take: number;

  constructor(
    @Inject(CHAT_CHANNEL) private readonly channel: ChatChannel,
    private readonly progressStore: TurnProgressStore,
    private readonly identityGate: IdentityGate,
    queue: QueueConfig,
  ) {
    this.take = queue.turnMaxMessages;
  }

  /** The members of this turn, oldest first: the ones fixed before, or chosen now from `waiting`. */
  async members(turn: ResolvedTurn, waiting: string[]): Promise<ChannelMessage[]> {
    const { progress, job } = turn;
    // Cached reads: a member's message was read when its burst was chosen.
    if (progress.burst) return Promise.all(progress.burst.map((id) => this.channel.read(job, id)));
    // Persisted with the turn's first save, which comes before its first effect: a retry takes no one new.
    progress.burst = [];
    // A turn begun without a burst (progress written before bursts existed) stays one message.
    const begun = progress.visitorCounted || progress.userMessageSent || progress.answer !== undefined;
    if (waiting.length === 0 || begun) return [];
    const members = await this.choose(turn, waiting.slice(0, this.take - 1)).catch((err: unknown) => {
      progress.burst = undefined; // nothing was fixed: the retry chooses again
      throw err;
    });
    if (members.length === 0) return [];
    progress.burst = members.map((m) => m.id);
    await turn.save();
    return members;
  }

  /** After the burst's reply was posted: its members are answered (by this turn's message). */
  async complete(turn: TurnContext): Promise<void> {
    const { progress, ref, job } = turn;
    await this.progressStore.markAnswered(ref, progress.burst ?? [], job.messageId, progress);
  }

  /**
   * After the last attempt's fallback: the members it answered too (marked so), to leave the line
   * with the turn. Nothing was posted: none; the members keep their own turns.
   */
  async afterFallback(turn: TurnContext): Promise<string[]> {
    const { progress } = turn;
    const answered = progress.done || progress.replyMessageIds.length > 0;
    const burst = answered ? (progress.burst ?? []) : [];
    if (burst.length === 0) return [];
    return this.complete(turn).then(
      () => burst,
      () => [],
    );
  }

  private async choose(turn: ResolvedTurn, waiting: string[]): Promise<ChannelMessage[]> {
    const { message, thread, job, ref } = turn;
    let pending: Promise<boolean> | undefined;
    // Whether a code is pending is read only when a text looks like one.
    const plain = async (m: ChannelMessage) =>
      plainForModel(
        m,
        thread,
        findCode(m.text) !== undefined && (await (pending ??= this.identityGate.codePending(ref))),
      );
    if (!(await plain(message))) return [];
    // Ours, or begun (or answered) already: not a fresh visitor line; the burst ends before it.
    const peeked = await this.progressStore.peek(ref, waiting);
    const fresh = peeked.findIndex((p) => p.own || p.progressed);
    const ids = fresh < 0 ? waiting : waiting.slice(0, fresh);
    // One read per message (cached for its own job); a read that fails ends the burst there. Out of
    // HubSpot budget, the turn waits for its reserved unit instead (nothing is fixed yet): a burst
    // that forms under load saves replies, the scarcest calls then.
    const reads = await Promise.allSettled(ids.map((id) => this.channel.read(job, id)));
    const exhausted = reads.find((r) => r.status === 'rejected' && r.reason instanceof RateBudgetExhaustedError);
    if (exhausted) throw (exhausted as PromiseRejectedResult).reason;
    const members: ChannelMessage[] = [];
    for (const read of reads) {
      if (read.status === 'rejected') break;
      const candidate = read.value;
      const joins =
        this.channel.answerable(candidate).answer &&
        candidate.senderId === message.senderId &&
        candidate.via === message.via &&
        (await plain(candidate));
      if (!joins) break;
      members.push(candidate);
    }
    return members;
  }
}
