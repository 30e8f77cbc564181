import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type MiniSearch from 'minisearch';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';
import { KnowledgeConfig } from '../../config/config-sections';
import { chunkText } from '../knowledge-chunks';
import type {
  KnowledgeDocument,
  KnowledgePassage,
  KnowledgeQuery,
  KnowledgeStore,
  ProgressListener,
  PutResult,
  StoredDocument,
} from '../knowledge-store';
import { indexTerms } from '../knowledge-text';
import { buildIndex, loadIndex, type IndexedChunk } from './local-index';

const REBUILD_TRIES = 5;

/**
 * KNOWLEDGE_STORE=local: documents and chunks in Redis, searched with a full-text index (MiniSearch,
 * BM25) that each sync rebuilds and stores beside them. Every worker reads the same index and keeps
 * a copy in memory until its version changes: one small GET per search.
 */
@Injectable()
export class LocalKnowledgeStore implements KnowledgeStore {
  readonly kind = 'local' as const;
  private loaded?: { version: string; index: Promise<MiniSearch<IndexedChunk>> };

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly config: KnowledgeConfig,
  ) {}

  async search(question: string, query: KnowledgeQuery): Promise<KnowledgePassage[]> {
    const terms = new Set(indexTerms(question));
    if (terms.size === 0) return [];
    const index = await this.index();
    if (!index) return [];
    const hits = index
      .search(question, { filter: (r) => !r.profile || !query.profile || r.profile === query.profile })
      // Relevant: enough of the question's words found (a single common word is not an answer).
      .map((r) => ({ r, coverage: Math.min(1, new Set(r.queryTerms).size / terms.size) }))
      .filter(({ coverage }) => coverage >= this.config.localMinMatch)
      .slice(0, query.limit);
    return hits.map(({ r, coverage }) => ({
      source: r.source as string,
      title: r.title as string,
      ...(r.url ? { url: r.url as string } : {}),
      ...(r.language ? { language: r.language as string } : {}),
      text: r.heading ? `${r.heading as string}\n${r.text as string}` : (r.text as string),
      score: Math.round(coverage * 100) / 100,
    }));
  }

  async list(): Promise<StoredDocument[]> {
    const all = await this.redis.hgetall(RedisKeys.knowledgeDocs());
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as StoredDocument)
      .sort((a, b) => a.source.localeCompare(b.source));
  }

  async put(documents: KnowledgeDocument[], onProgress?: ProgressListener): Promise<PutResult[]> {
    if (documents.length === 0) {
      await this.rebuildIfDirty();
      return [];
    }
    const stored = new Map((await this.list()).map((d) => [d.source, d]));
    const results: PutResult[] = [];
    for (const [i, doc] of documents.entries()) {
      const chunks = chunkText(doc.text);
      if (chunks.length === 0) {
        results.push({ source: doc.source, ok: false, error: 'no text to index' });
      } else {
        const tx = this.redis.multi().set(RedisKeys.knowledgeIndexDirty(), '1');
        const old = stored.get(doc.source)?.chunks ?? 0;
        if (old > 0) tx.hdel(RedisKeys.knowledgeChunks(), ...chunkIds(doc.source, old));
        const entries = chunks.flatMap((c, n) => {
          const chunk: IndexedChunk = {
            id: `${doc.source}#${n}`,
            source: doc.source,
            title: doc.title,
            heading: c.heading,
            text: c.text,
            ...(doc.url ? { url: doc.url } : {}),
            ...(doc.language ? { language: doc.language } : {}),
            profile: doc.profile ?? '',
          };
          return [chunk.id, JSON.stringify(chunk)];
        });
        tx.hset(RedisKeys.knowledgeChunks(), ...entries);
        const meta: StoredDocument = { ...withoutText(doc), chunks: chunks.length };
        tx.hset(RedisKeys.knowledgeDocs(), doc.source, JSON.stringify(meta));
        await tx.exec();
        results.push({ source: doc.source, ok: true });
      }
      onProgress?.(i + 1, documents.length, doc.source);
    }
    await this.rebuild();
    return results;
  }

  async remove(sources: string[]): Promise<string[]> {
    const stored = new Map((await this.list()).map((d) => [d.source, d]));
    const present = sources.filter((s) => stored.has(s));
    if (present.length === 0) {
      await this.rebuildIfDirty();
      return [];
    }
    const tx = this.redis.multi().set(RedisKeys.knowledgeIndexDirty(), '1');
    for (const source of present) {
      const ids = chunkIds(source, stored.get(source)?.chunks ?? 0);
      if (ids.length > 0) tx.hdel(RedisKeys.knowledgeChunks(), ...ids);
      tx.hdel(RedisKeys.knowledgeDocs(), source);
    }
    await tx.exec();
    await this.rebuild();
    return present;
  }

  async describe(): Promise<string> {
    const [docs, chunks] = await Promise.all([
      this.redis.hlen(RedisKeys.knowledgeDocs()),
      this.redis.hlen(RedisKeys.knowledgeChunks()),
    ]);
    return `the local index in Redis: ${docs} document(s), ${chunks} chunk(s)`;
  }

  /** The current index (reloaded when a sync changed it), or undefined before the first sync. */
  private async index(): Promise<MiniSearch<IndexedChunk> | undefined> {
    const version = await this.redis.get(RedisKeys.knowledgeIndexVersion());
    if (version === null) return undefined;
    if (this.loaded?.version !== version) {
      const index = this.redis.get(RedisKeys.knowledgeIndex()).then((json) => loadIndex(json ?? '{}'));
      this.loaded = { version, index };
      index.catch(() => (this.loaded = undefined));
    }
    return this.loaded.index;
  }

  /** A sync whose rebuild failed left the index behind its documents: this one catches it up. */
  private async rebuildIfDirty(): Promise<void> {
    if (await this.redis.exists(RedisKeys.knowledgeIndexDirty())) await this.rebuild();
  }

  /**
   * Rebuilds the index from every stored chunk and stores it with a new version. Optimistic: a
   * concurrent sync changing the chunks meanwhile makes this one read them again.
   */
  private async rebuild(): Promise<void> {
    // WATCH needs a connection of its own (the shared one interleaves other commands).
    const conn = this.redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
    try {
      for (let attempt = 0; attempt < REBUILD_TRIES; attempt++) {
        await conn.watch(RedisKeys.knowledgeChunks());
        const all = await conn.hgetall(RedisKeys.knowledgeChunks());
        const index = buildIndex(Object.values(all).map((raw) => JSON.parse(raw) as IndexedChunk));
        const done = await conn
          .multi()
          .set(RedisKeys.knowledgeIndex(), JSON.stringify(index))
          // Unique, not a counter: after a flush or a restore a counter restarts and matches a stale copy.
          .set(RedisKeys.knowledgeIndexVersion(), `${Date.now()}-${randomUUID()}`)
          .del(RedisKeys.knowledgeIndexDirty())
          .exec();
        if (done) return;
      }
      throw new Error('the knowledge index kept changing while it was rebuilt; run the sync again');
    } finally {
      conn.disconnect();
    }
  }
}

const chunkIds = (source: string, count: number) => Array.from({ length: count }, (_, n) => `${source}#${n}`);

function withoutText(doc: KnowledgeDocument): Omit<KnowledgeDocument, 'text'> {
  return {
    source: doc.source,
    title: doc.title,
    hash: doc.hash,
    url: doc.url,
    language: doc.language,
    profile: doc.profile,
  };
}
