import type { TurnProgress } from '../../state/turn-progress.store';
import { textsFor } from '../../profiles/fixed-texts';
import type { EngineTurn } from '../assistant-engine';

/** What this engine keeps in `progress.engine` (opaque to the rest of the worker). */
export interface ResponsesState {
  /** The conversation's newest item before this turn: recovery looks only at what came after it. */
  anchorItemId?: string | null;
  /** A responses.create was sent whose outcome is not recorded yet (resolve from the conversation). */
  requestInFlight?: 'user' | 'outputs';
}

export type Turn = EngineTurn & { conversationId: string; paidToolsOff: boolean };

/** This engine's part of the progress (created on first use; saved with the rest). */
export function state(progress: TurnProgress): ResponsesState {
  progress.engine ??= {};
  return progress.engine;
}

/** Ends the turn with the no-answer text in the thread's language. */
export function fallback(turn: EngineTurn, reason: string): void {
  const p = turn.progress;
  p.answer = textsFor(turn.profile, turn.language).noAnswer;
  p.fallbackReason = reason;
}
