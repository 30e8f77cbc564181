import { env } from '@app/config';

/** The outcome and feedback variables (merged into the worker's schema). */
export const outcomeEnvShape = {
  // A conversation is judged this long after its last activity: resolved only if nothing reopened it.
  RESOLUTION_WINDOW_HOURS: env.int(1, 24 * 30).default(24),
  // How often the worker's repeatable job looks for conversations whose window has passed.
  OUTCOME_SWEEP_SECONDS: env.int(10, 86_400).default(300),
  // Offer "That helped / I need more help" after every Nth answer of a thread (0 = never).
  FEEDBACK_EVERY_N_ANSWERS: env.int(0, 1000).default(3),
  // Whether visitor text may be kept (redacted) for the console; off by default.
  AUDIT_STORE_TEXT: env.bool().default(false),
};

type OutcomeEnv = {
  RESOLUTION_WINDOW_HOURS: number;
  OUTCOME_SWEEP_SECONDS: number;
  FEEDBACK_EVERY_N_ANSWERS: number;
  AUDIT_STORE_TEXT: boolean;
};

/** Outcomes per conversation and visitor feedback; `now` is the clock outcomes are judged by (tests freeze it). */
export interface OutcomeSection {
  resolutionWindowMs: number;
  sweepEveryMs: number;
  feedbackEveryNAnswers: number;
  storeText: boolean;
  now: () => number;
}

export function outcomeSection(e: OutcomeEnv): OutcomeSection {
  return {
    resolutionWindowMs: e.RESOLUTION_WINDOW_HOURS * 3_600_000,
    sweepEveryMs: e.OUTCOME_SWEEP_SECONDS * 1000,
    feedbackEveryNAnswers: e.FEEDBACK_EVERY_N_ANSWERS,
    storeText: e.AUDIT_STORE_TEXT,
    now: Date.now,
  };
}
