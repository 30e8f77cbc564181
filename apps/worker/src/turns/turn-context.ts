import type { MessageReceivedJob } from '@app/contracts';
import type { TurnAttempt } from '../audit/turn-audit.service';
import type { ChannelMessage } from '../channel/chat-channel';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import type { TurnProgress } from '../state/turn-progress.store';
import type { ResolvedThread } from '../threads/thread-context.service';

/** One visitor message's turn as the steps share it; `progress` is what survives a crash. */
export interface TurnContext {
  job: MessageReceivedJob;
  ref: ThreadRef;
  attempt: TurnAttempt;
  progress: TurnProgress;
  /** Saves `progress` (optionally marking a posted message as ours) while this run owns the job. */
  save: (ownMessageId?: string) => Promise<void>;
}

/** A turn whose message was read and whose thread was resolved. */
export interface ResolvedTurn extends TurnContext {
  message: ChannelMessage;
  thread: ResolvedThread;
}

/** What the answering steps take: with the later messages answered together with `message` (a burst). */
export interface ReadyTurn extends ResolvedTurn {
  /** Oldest first; empty for a turn of one message. The reply goes to the last of them. */
  members: ChannelMessage[];
}
