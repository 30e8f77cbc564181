import { HANDOFF_CATEGORIES, type ConversationOutcomeRecord, type HandoffCategory } from '@app/audit';
import type { OutcomeSignals } from './outcome-signals.store';

export interface OutcomeJudgement {
  /** The clock (OutcomeConfig.now). */
  now: number;
  resolutionWindowMs: number;
  language?: string;
  spend: { tokens: number; credits: number };
}

/**
 * A conversation's outcome once RESOLUTION_WINDOW_HOURS passed since its last activity (undefined
 * before: a reopened chat, a late tap or a handoff would still change it):
 * - handed_off: any handoff (its category), or a visitor asking for more help;
 * - resolved: the bot answered, and the visitor either carried on after its first answer or said
 *   it helped, with no handoff and no "I need more help" since;
 * - abandoned: no visitor message after the bot's first answer and no resolution signal.
 */
export function judgeOutcome(s: OutcomeSignals, j: OutcomeJudgement): ConversationOutcomeRecord | undefined {
  const lastActivity = num(s.lastActivityAt);
  if (!s.portalId || !s.threadId || !lastActivity) return undefined;
  if (lastActivity + j.resolutionWindowMs > j.now) return undefined;
  const answers = num(s.answers);
  const feedback = { helped: num(s.helped), moreHelp: num(s.moreHelp) };
  const category = handoffCategory(s);
  const resolved = answers > 0 && (num(s.followUps) > 0 || feedback.helped > 0);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    version: 1,
    portalId: s.portalId,
    threadId: s.threadId,
    outcome: category ? 'handed_off' : resolved ? 'resolved' : 'abandoned',
    category,
    profile: s.profile,
    language: j.language,
    startedAt: iso(num(s.startedAt) || lastActivity),
    firstAnswerAt: s.firstAnswerAt ? iso(num(s.firstAnswerAt)) : undefined,
    lastActivityAt: iso(lastActivity),
    decidedAt: iso(j.now),
    turns: num(s.turns),
    answers,
    feedback,
    tokens: j.spend.tokens,
    credits: j.spend.credits,
  };
}

function handoffCategory(s: OutcomeSignals): HandoffCategory | undefined {
  if (s.handoffCategory && (HANDOFF_CATEGORIES as readonly string[]).includes(s.handoffCategory)) {
    return s.handoffCategory;
  }
  // "I need more help" hands off; should that handoff's own record be lost, the tap still says so.
  return num(s.moreHelp) > 0 ? 'visitor_request' : undefined;
}

const num = (value: string | undefined) => {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
};
