import type { z } from 'zod';
import { env } from '@app/config';

export const KNOWLEDGE_STORES = ['local', 'openai'] as const;
export type KnowledgeStoreKind = (typeof KNOWLEDGE_STORES)[number];

/** The knowledge variables (merged into the worker's schema; the knowledge CLI reads the same ones). */
export const knowledgeEnvShape = {
  // local: full-text index in Redis (no external service); openai: an OpenAI vector store.
  KNOWLEDGE_STORE: env.enum(KNOWLEDGE_STORES).default('local'),
  // The vector store of KNOWLEDGE_STORE=openai; unset: the one `knowledge sync` created (kept in Redis).
  KNOWLEDGE_VECTOR_STORE_ID: env
    .string()
    .regex(/^vs_[A-Za-z0-9_-]+$/, 'must be a vector store id like vs_abc123')
    .optional(),
  KNOWLEDGE_MAX_RESULTS: env.int(1, 20).default(4),
  // openai: ranking_options.score_threshold (0–1) of vectorStores.search.
  KNOWLEDGE_MIN_SCORE: env.decimal(0, 1).default(0.3),
  // local: the share of the question's words a passage must contain to count as relevant.
  KNOWLEDGE_LOCAL_MIN_MATCH: env.decimal(0, 1).default(0.5),
  KNOWLEDGE_MAX_FILE_MB: env.int(1, 512).default(20),
  KNOWLEDGE_GAP_RETENTION_DAYS: env.int(1, 3650).default(90),
};

type KnowledgeEnv = {
  KNOWLEDGE_STORE: KnowledgeStoreKind;
  KNOWLEDGE_VECTOR_STORE_ID?: string;
  KNOWLEDGE_MAX_RESULTS: number;
  KNOWLEDGE_MIN_SCORE: number;
  KNOWLEDGE_LOCAL_MIN_MATCH: number;
  KNOWLEDGE_MAX_FILE_MB: number;
  KNOWLEDGE_GAP_RETENTION_DAYS: number;
  OPENAI_API_KEY?: string;
};

/** The vector store lives at OpenAI: it needs a real key even when the model runs keyless. */
export function checkKnowledgeEnv(e: Partial<KnowledgeEnv>, ctx: z.RefinementCtx): void {
  if (e.KNOWLEDGE_STORE === 'openai' && !e.OPENAI_API_KEY) {
    ctx.addIssue({ code: 'custom', path: ['OPENAI_API_KEY'], message: 'is required with KNOWLEDGE_STORE=openai' });
  }
}

export interface KnowledgeSection {
  store: KnowledgeStoreKind;
  vectorStoreId?: string;
  maxResults: number;
  minScore: number;
  localMinMatch: number;
  maxFileBytes: number;
  gapRetentionSeconds: number;
}

export function knowledgeSection(e: KnowledgeEnv): KnowledgeSection {
  return {
    store: e.KNOWLEDGE_STORE,
    vectorStoreId: e.KNOWLEDGE_VECTOR_STORE_ID,
    maxResults: e.KNOWLEDGE_MAX_RESULTS,
    minScore: e.KNOWLEDGE_MIN_SCORE,
    localMinMatch: e.KNOWLEDGE_LOCAL_MIN_MATCH,
    maxFileBytes: e.KNOWLEDGE_MAX_FILE_MB * 1024 * 1024,
    gapRetentionSeconds: e.KNOWLEDGE_GAP_RETENTION_DAYS * 86_400,
  };
}
