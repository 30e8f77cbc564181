import type { Language } from '../identity/identity-texts';
import type { AssistantProfile } from '../profiles/assistant-profile';
import type { TurnProgress } from '../state/turn-progress.store';
import type { ToolContext } from '../tools/assistant-tool';

/** One visitor message as the model reads it, keyed by its channel id. */
export interface VisitorLine {
  messageId: string;
  text: string;
}

/** One turn as an engine runs it: who it acts for, what the visitor wrote, where progress goes. */
export interface EngineTurn {
  ctx: ToolContext;
  profile: AssistantProfile;
  /**
   * What the visitor wrote, oldest first: the turn's own message, then those answered together with
   * it (a burst). Each goes into the history once, as its own user message; one answer covers all.
   */
  lines: VisitorLine[];
  /** Hashed into the provider's abuse-tracking id; never sent raw. */
  visitorId: string;
  /** The engine reads and writes it; `progress.engine` is its own state, opaque to everyone else. */
  progress: TurnProgress;
  /** Persists `progress`; called after every step that must survive a crash. */
  save: () => Promise<void>;
  /** ms epoch after which no new model call starts. */
  deadline: number;
  /** The thread's language, for the fixed texts a turn may end with. */
  language: Language;
}

/**
 * A model behind the assistant. `run` takes a turn from the visitor's text to `progress.answer`
 * (or a fallback text): every tool call of a response runs, its output goes back, until the model
 * answers or a bound is reached; after a crash it resumes from `progress` without repeating a model
 * request that took effect or a tool that returned. Usage is counted into `progress.usage`.
 */
export interface AssistantEngine {
  run(turn: EngineTurn): Promise<void>;
  /** Adds a visitor line and a fixed answer to the thread's history, without a model call. */
  record(history: HistoryRef, userText: string, answer: string): Promise<void>;
}

/** The thread whose history a turn writes, and where that turn's progress is kept. */
export interface HistoryRef {
  portalId: string;
  threadId: string;
  /** The visitor message the exchange answers (an engine may key what it writes on it). */
  messageId: string;
  progress: TurnProgress;
  save: () => Promise<void>;
}

export const ASSISTANT_ENGINE = Symbol('ASSISTANT_ENGINE');
