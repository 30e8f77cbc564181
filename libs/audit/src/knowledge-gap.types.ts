/**
 * A question the assistant could not answer from the company's documents (written by the worker,
 * read at GET /admin/knowledge/gaps). Similar questions (the same words, in any order and form)
 * share one record and count.
 */
export interface KnowledgeGap {
  /** Stable id of the group of similar questions. */
  id: string;
  /** The first question of the group, with e-mails and phone numbers redacted. */
  question: string;
  /** The latest question of the group (redacted too). */
  lastQuestion: string;
  language?: string;
  profile: string;
  /** The HubSpot thread of the latest occurrence. */
  threadId: string;
  /** How many visitor messages asked it. */
  count: number;
  /** ISO times. */
  firstSeen: string;
  lastSeen: string;
}

/** The hash fields of one gap as the worker writes them (times in ms epoch). */
export const KNOWLEDGE_GAP_FIELDS = [
  'question',
  'lastQuestion',
  'language',
  'profile',
  'threadId',
  'count',
  'firstSeen',
  'lastSeen',
] as const;

/** Builds a gap from its hash (undefined when it expired meanwhile). */
export function knowledgeGapFrom(id: string, values: (string | null)[]): KnowledgeGap | undefined {
  const [question, lastQuestion, language, profile, threadId, count, firstSeen, lastSeen] = values;
  if (question === null || count === null) return undefined;
  return {
    id,
    question,
    lastQuestion: lastQuestion ?? question,
    ...(language ? { language } : {}),
    profile: profile ?? '',
    threadId: threadId ?? '',
    count: Number(count) || 0,
    firstSeen: new Date(Number(firstSeen)).toISOString(),
    lastSeen: new Date(Number(lastSeen)).toISOString(),
  };
}
