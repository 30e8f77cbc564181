import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import OpenAI, { toFile } from 'openai';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';
import { KnowledgeConfig, OpenAiConfig } from '../../config/config-sections';
import type {
  KnowledgeDocument,
  KnowledgePassage,
  KnowledgeQuery,
  KnowledgeStore,
  ProgressListener,
  PutResult,
  StoredDocument,
} from '../knowledge-store';
import { attributesOf, documentOf, EVERY_PROFILE, uploadName } from './vector-store-attributes';

const BATCH_MAX = 2000;
const UPLOADS_AT_ONCE = 4;
// Pollers have no overall timeout of their own (shared/reference/openai.md §5).
const BATCH_TIMEOUT_MS = 15 * 60_000;

/**
 * KNOWLEDGE_STORE=openai: each document is a file in an OpenAI vector store (OpenAI chunks and
 * embeds it), its source, title, URL, language, profile and content hash in the file's attributes;
 * a question is answered with `vectorStores.search` (semantic, with a score threshold). The one
 * place outside the engines that talks to OpenAI (apps/worker/src/layers.spec.ts).
 */
@Injectable()
export class OpenAiKnowledgeStore implements KnowledgeStore {
  readonly kind = 'openai' as const;
  private readonly sdk: OpenAI;

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly config: KnowledgeConfig,
    openai: OpenAiConfig,
  ) {
    this.sdk = new OpenAI({ apiKey: openai.apiKey, baseURL: openai.baseUrl, timeout: openai.timeoutMs, maxRetries: 2 });
  }

  async search(question: string, query: KnowledgeQuery): Promise<KnowledgePassage[]> {
    const id = await this.vectorStoreId();
    if (!id || !question.trim()) return [];
    const page = await this.sdk.vectorStores.search(id, {
      query: question.slice(0, 4000),
      max_num_results: Math.min(50, query.limit),
      rewrite_query: false,
      ranking_options: { score_threshold: this.config.minScore },
      ...(query.profile
        ? {
            filters: {
              type: 'or',
              filters: [
                { type: 'eq', key: 'profile', value: query.profile },
                { type: 'eq', key: 'profile', value: EVERY_PROFILE },
              ],
            },
          }
        : {}),
    });
    return page.data
      .filter((hit) => hit.score >= this.config.minScore)
      .map((hit) => {
        const doc = documentOf(hit.attributes, hit.filename);
        const text = hit.content.map((c) => c.text).join('\n');
        return { source: doc.source, title: doc.title, url: doc.url, language: doc.language, text, score: hit.score };
      });
  }

  async list(): Promise<StoredDocument[]> {
    const id = await this.vectorStoreId();
    if (!id) return [];
    const docs: StoredDocument[] = [];
    for await (const file of this.sdk.vectorStores.files.list(id, { limit: 100 })) {
      // A failed file holds no chunks: listing it would make the next sync skip it.
      if (file.status !== 'completed' && file.status !== 'in_progress') continue;
      docs.push({ ...documentOf(file.attributes, file.id), id: file.id });
    }
    return docs.sort((a, b) => a.source.localeCompare(b.source));
  }

  async put(documents: KnowledgeDocument[], onProgress?: ProgressListener): Promise<PutResult[]> {
    if (documents.length === 0) return [];
    const storeId = await this.ensureVectorStore();
    const previous = new Map((await this.list()).map((d) => [d.source, d.id!]));
    const results: PutResult[] = [];
    const uploaded: { doc: KnowledgeDocument; fileId: string }[] = [];
    let done = 0;
    await inParallel(documents, UPLOADS_AT_ONCE, async (doc) => {
      try {
        const file = await toFile(Buffer.from(doc.text, 'utf8'), uploadName(doc.source), { type: 'text/plain' });
        const created = await this.sdk.files.create({ file, purpose: 'assistants' });
        uploaded.push({ doc, fileId: created.id });
      } catch (err) {
        results.push({ source: doc.source, ok: false, error: `upload failed: ${message(err)}` });
      }
      onProgress?.(++done, documents.length, doc.source);
    });
    for (let at = 0; at < uploaded.length; at += BATCH_MAX) {
      results.push(...(await this.attach(storeId, uploaded.slice(at, at + BATCH_MAX), previous)));
    }
    return results;
  }

  async remove(sources: string[]): Promise<string[]> {
    const wanted = new Set(sources);
    const present = (await this.list()).filter((d) => wanted.has(d.source));
    // Deleting the file removes it from every vector store (detaching alone would leave it stored).
    for (const doc of present) await this.deleteFile(doc.id!);
    return present.map((d) => d.source);
  }

  async describe(): Promise<string> {
    const id = await this.vectorStoreId();
    if (!id) return 'no OpenAI vector store yet (the first sync creates one)';
    const pinned = this.config.vectorStoreId ? '' : `; set KNOWLEDGE_VECTOR_STORE_ID=${id} to pin it`;
    return `OpenAI vector store ${id}${pinned}`;
  }

  /** Attaches uploaded files with their attributes in one batch; a file OpenAI failed is reported and deleted. */
  private async attach(
    storeId: string,
    uploaded: { doc: KnowledgeDocument; fileId: string }[],
    previous: Map<string, string>,
  ): Promise<PutResult[]> {
    const failed = new Map<string, string>();
    try {
      const batch = await this.sdk.vectorStores.fileBatches.createAndPoll(
        storeId,
        { files: uploaded.map(({ doc, fileId }) => ({ file_id: fileId, attributes: attributesOf(doc) })) },
        { signal: AbortSignal.timeout(BATCH_TIMEOUT_MS) },
      );
      if (batch.status !== 'completed' || batch.file_counts.failed > 0 || batch.file_counts.cancelled > 0) {
        for await (const f of this.sdk.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: storeId })) {
          if (f.status === 'completed') continue;
          failed.set(f.id, f.last_error ? `${f.last_error.code}: ${f.last_error.message}` : f.status);
        }
      }
    } catch (err) {
      for (const { fileId } of uploaded) failed.set(fileId, `attaching failed: ${message(err)}`);
    }
    const results: PutResult[] = [];
    for (const { doc, fileId } of uploaded) {
      const error = failed.get(fileId);
      if (error !== undefined) {
        await this.deleteFile(fileId);
        results.push({ source: doc.source, ok: false, error });
        continue;
      }
      // Replaced: the new file is in, the old one goes (a search meanwhile finds one or the other).
      const old = previous.get(doc.source);
      if (old) await this.deleteFile(old);
      results.push({ source: doc.source, ok: true });
    }
    return results;
  }

  private async deleteFile(fileId: string): Promise<void> {
    await this.sdk.files.delete(fileId).catch((err: unknown) => {
      if (!(err instanceof OpenAI.NotFoundError)) throw err;
    });
  }

  private async vectorStoreId(): Promise<string | undefined> {
    return this.config.vectorStoreId ?? (await this.redis.get(RedisKeys.knowledgeVectorStore())) ?? undefined;
  }

  private async ensureVectorStore(): Promise<string> {
    const existing = await this.vectorStoreId();
    if (existing) return existing;
    const created = await this.sdk.vectorStores.create({
      name: 'hubspot-chat-assistant knowledge',
      metadata: { created_by: 'knowledge sync' },
    });
    // Every worker finds it here; setting KNOWLEDGE_VECTOR_STORE_ID makes it explicit.
    await this.redis.set(RedisKeys.knowledgeVectorStore(), created.id);
    return created.id;
  }
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);
