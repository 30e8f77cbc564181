import type { TurnProgress } from '../../state/turn-progress.store';
import { NO_ANSWER_TEXT } from '../answer-texts';
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

export function fallback(p: TurnProgress, reason: string): void {
  p.answer = NO_ANSWER_TEXT;
  p.fallbackReason = reason;
}
