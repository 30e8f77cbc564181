import type { ThreadKeyRef } from '@app/redis';

/** Where the thread → conversation link is kept for good (the cache sits in front of it). */
export interface MappingStore {
  readonly kind: 'airtable' | 'redis';
  find(ref: ThreadKeyRef): Promise<string | undefined>;
  /** Idempotent upsert keyed on the thread. */
  save(ref: ThreadKeyRef, conversationId: string): Promise<void>;
}

export const MAPPING_STORE = Symbol('MAPPING_STORE');
