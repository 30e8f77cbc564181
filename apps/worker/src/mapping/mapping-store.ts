/** Where the thread → conversation link is kept for good (the cache sits in front of it). */
export interface MappingStore {
  readonly kind: 'airtable' | 'redis';
  find(threadId: string): Promise<string | undefined>;
  /** Idempotent upsert keyed on the thread id. */
  save(threadId: string, conversationId: string): Promise<void>;
}

export const MAPPING_STORE = Symbol('MAPPING_STORE');
