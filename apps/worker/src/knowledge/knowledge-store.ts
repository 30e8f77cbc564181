import type { KnowledgeStoreKind } from '../config/knowledge-config';

/** Where a passage comes from, as a citation shows it. */
export interface KnowledgeSource {
  /** The document's path relative to the synced folder: its identity in the store. */
  source: string;
  title: string;
  url?: string;
  language?: string;
}

/** A document as read from the folder, ready for a store. */
export interface KnowledgeDocument extends KnowledgeSource {
  /** Plain text (front matter removed; HTML and PDF extracted). */
  text: string;
  /** The profile it is for (front matter `profile`); unset: every profile. */
  profile?: string;
  /** sha256 of the text and metadata: unchanged documents are not uploaded or indexed again. */
  hash: string;
}

/** A document as a store holds it. */
export interface StoredDocument extends KnowledgeSource {
  hash: string;
  profile?: string;
  /** The store's own id (the OpenAI file id). */
  id?: string;
  /** Chunks indexed (local store). */
  chunks?: number;
}

export interface KnowledgePassage extends KnowledgeSource {
  text: string;
  /** 0–1: the vector store's score, or the local store's share of the question's words matched. */
  score: number;
}

export interface KnowledgeQuery {
  limit: number;
  /** Only passages for this profile (or for every profile). */
  profile?: string;
}

/** The outcome of one document of a `put`. */
export type PutResult = { source: string; ok: true } | { source: string; ok: false; error: string };

/** Called as documents are stored, for progress on long runs. */
export type ProgressListener = (done: number, total: number, source: string) => void;

/**
 * The company's documents, searchable. Two implementations: the local full-text index in Redis
 * and an OpenAI vector store, chosen by KNOWLEDGE_STORE; the tool, the sync and the CLI use this.
 */
export interface KnowledgeStore {
  readonly kind: KnowledgeStoreKind;
  /** The passages relevant to a question, best first; [] when nothing is relevant. */
  search(question: string, query: KnowledgeQuery): Promise<KnowledgePassage[]>;
  list(): Promise<StoredDocument[]>;
  /** Stores documents, each replacing the stored one of the same source; one failure never stops the rest. */
  put(documents: KnowledgeDocument[], onProgress?: ProgressListener): Promise<PutResult[]>;
  /** Removes documents by source; returns the sources that were there. */
  remove(sources: string[]): Promise<string[]>;
  /** Where the documents are, for people (e.g. "OpenAI vector store vs_…"). */
  describe(): Promise<string>;
}

export const KNOWLEDGE_STORE = Symbol('KNOWLEDGE_STORE');
