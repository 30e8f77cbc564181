/** How a conversation (one HubSpot thread) ended, judged RESOLUTION_WINDOW_HOURS after its last activity. */
export const CONVERSATION_OUTCOMES = ['resolved', 'handed_off', 'abandoned'] as const;
export type ConversationOutcome = (typeof CONVERSATION_OUTCOMES)[number];

/** Why a conversation went to a person: a fixed set (metrics labels, console filters). */
export const HANDOFF_CATEGORIES = [
  'visitor_request',
  'model_decision',
  'turn_failed',
  'cost_cap',
  'out_of_hours',
  'staff_gate',
  'agent_took_over',
  'knowledge_gap',
] as const;
export type HandoffCategory = (typeof HANDOFF_CATEGORIES)[number];

export type FeedbackKind = 'helped' | 'more_help';

/** One conversation's outcome record (stored per thread; the console and GET /admin/outcomes read it). */
export interface ConversationOutcomeRecord {
  version: 1;
  portalId: string;
  threadId: string;
  outcome: ConversationOutcome;
  /** Set for handed_off. */
  category?: HandoffCategory;
  profile?: string;
  language?: string;
  /** The first visitor message's turn, the bot's first answer, the last activity, the decision (ISO). */
  startedAt: string;
  firstAnswerAt?: string;
  lastActivityAt: string;
  decidedAt: string;
  turns: number;
  answers: number;
  /** Visitor feedback taps: "That helped" and "I need more help". */
  feedback: { helped: number; moreHelp: number };
  tokens: number;
  credits: number;
}
