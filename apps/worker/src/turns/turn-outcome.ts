import type { TurnOutcomeKind } from '@app/audit';
import type { ChannelMessage } from '../channel/chat-channel';
import type { TurnProgress } from '../state/turn-progress.store';
import type { ResolvedThread } from '../threads/thread-context.service';

/** How an answered turn reads in the audit. */
export function endOf(progress: TurnProgress): { outcome: TurnOutcomeKind; reason?: string } {
  if (progress.visitorLimited) {
    const reason = `visitor limit: ${progress.visitorLimited}`;
    return { outcome: progress.replyParts?.length ? 'answered' : 'skipped', reason };
  }
  if (progress.capReason) return { outcome: 'capped', reason: progress.capReason };
  if (progress.fallbackReason) return { outcome: 'fallback', reason: progress.fallbackReason };
  if (progress.handoffReason) return { outcome: 'handoff', reason: progress.handoffReason };
  return { outcome: 'answered', reason: progress.screenedReason && `answer replaced: ${progress.screenedReason}` };
}

export type TurnOutcome =
  | {
      status: 'answered';
      replyMessageIds: string[];
      fallback: boolean;
      responseIds: string[];
      tokens: number;
      /** The later messages answered together with this one (a burst); absent when none. */
      members?: string[];
    }
  | { status: 'skipped'; reason: string }
  | { status: 'busy' };

/** What the job returns for an answered turn (its result in Bull Board). */
export function answeredOutcome(progress: TurnProgress): TurnOutcome {
  const { replyMessageIds, responseIds, usage } = progress;
  const fallback = progress.fallbackReason !== undefined;
  const tokens = usage.inputTokens + usage.outputTokens;
  const members = progress.burst?.length ? { members: progress.burst } : {};
  return { status: 'answered', replyMessageIds, fallback, responseIds, tokens, ...members };
}

/** Why a visitor's message of this thread is not answered at all, if it is not. */
export function skipReason(
  channelAnswered: boolean,
  message: ChannelMessage,
  thread: ResolvedThread,
  progress: TurnProgress,
): string | undefined {
  if (!channelAnswered) return `channel ${message.via} is not answered`;
  // A turn that already has its answer (a retry after the handoff was recorded) still posts it.
  if (thread.state.handedOff && !progress.answer) return 'handed off to a human';
  return undefined;
}
