/**
 * Redis keys of the Chat Completions engine's transcripts: portal-scoped and hash-tagged by thread,
 * so a thread's keys share one cluster slot (the append script touches them together).
 */
export const transcriptKey = (portalId: string, threadId: string) => `transcript:{${portalId}:${threadId}}`;

/** Entry id → entry JSON: what makes an append happen once, and what a repeated append gets back. */
export const transcriptIdsKey = (portalId: string, threadId: string) => `${transcriptKey(portalId, threadId)}:ids`;
