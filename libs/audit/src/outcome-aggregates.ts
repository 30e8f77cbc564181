import {
  CONVERSATION_OUTCOMES,
  HANDOFF_CATEGORIES,
  type ConversationOutcome,
  type ConversationOutcomeRecord,
  type HandoffCategory,
} from './conversation-outcome.types';

/** What a support lead reads for a set of conversations (one day, or the whole range). */
export interface OutcomeTotals {
  conversations: number;
  byOutcome: Record<ConversationOutcome, number>;
  /** Handed-off conversations by category. */
  byCategory: Record<HandoffCategory, number>;
  /** resolved / conversations; null without conversations. */
  resolutionRate: number | null;
  feedback: { helped: number; moreHelp: number };
  /** helped / all feedback taps; null without feedback. */
  csat: number | null;
  /** Spend of the resolved conversations, and per resolved conversation (null without any). */
  resolvedTokens: number;
  resolvedCredits: number;
  tokensPerResolved: number | null;
  creditsPerResolved: number | null;
}

export interface OutcomeDay extends OutcomeTotals {
  /** UTC day the conversations started, YYYY-MM-DD. */
  day: string;
}

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Totals of a set of outcome records. */
export function outcomeTotals(records: readonly ConversationOutcomeRecord[]): OutcomeTotals {
  const byOutcome = zeros(CONVERSATION_OUTCOMES);
  const byCategory = zeros(HANDOFF_CATEGORIES);
  const feedback = { helped: 0, moreHelp: 0 };
  let resolvedTokens = 0;
  let resolvedCredits = 0;
  for (const r of records) {
    byOutcome[r.outcome] += 1;
    if (r.category) byCategory[r.category] += 1;
    feedback.helped += r.feedback.helped;
    feedback.moreHelp += r.feedback.moreHelp;
    if (r.outcome === 'resolved') {
      resolvedTokens += r.tokens;
      resolvedCredits += r.credits;
    }
  }
  const resolved = byOutcome.resolved;
  return {
    conversations: records.length,
    byOutcome,
    byCategory,
    resolutionRate: ratio(resolved, records.length),
    feedback,
    csat: ratio(feedback.helped, feedback.helped + feedback.moreHelp),
    resolvedTokens,
    resolvedCredits: round3(resolvedCredits),
    tokensPerResolved: resolved > 0 ? Math.round(resolvedTokens / resolved) : null,
    creditsPerResolved: resolved > 0 ? round3(resolvedCredits / resolved) : null,
  };
}

/** Per UTC day of the conversations' start, oldest first. */
export function outcomeDays(records: readonly ConversationOutcomeRecord[]): OutcomeDay[] {
  const byDay = new Map<string, ConversationOutcomeRecord[]>();
  for (const r of records) {
    const day = r.startedAt.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  return [...byDay.keys()].sort().map((day) => ({ day, ...outcomeTotals(byDay.get(day)!) }));
}
