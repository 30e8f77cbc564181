import { Inject, Injectable } from '@nestjs/common';
import { KnowledgeConfig } from '../config/config-sections';
import { readKnowledgeFolder, type FileProblem } from './knowledge-files';
import { KNOWLEDGE_STORE, type KnowledgeStore, type ProgressListener } from './knowledge-store';

export interface SyncSummary {
  store: string;
  added: string[];
  replaced: string[];
  unchanged: number;
  removed: string[];
  /** Files that could not be read or stored, each with its reason; the rest of the folder went on. */
  failed: FileProblem[];
  durationMs: number;
}

/**
 * Makes the store hold exactly the folder's documents, by content hash: an unchanged document is
 * not sent again, a changed one is replaced, one gone from the folder is deleted. A file that
 * fails to read keeps its stored version (a broken upload must not silently remove an answer).
 */
@Injectable()
export class KnowledgeSync {
  constructor(
    @Inject(KNOWLEDGE_STORE) private readonly store: KnowledgeStore,
    private readonly config: KnowledgeConfig,
  ) {}

  async sync(dir: string, onProgress?: ProgressListener): Promise<SyncSummary> {
    const started = Date.now();
    const { documents, problems } = await readKnowledgeFolder(dir, this.config.maxFileBytes);
    const stored = new Map((await this.store.list()).map((d) => [d.source, d]));
    const changed = documents.filter((d) => stored.get(d.source)?.hash !== d.hash);
    const results = await this.store.put(changed, onProgress);
    const failedPuts = results.filter((r) => !r.ok);
    const storedNow = new Set(results.filter((r) => r.ok).map((r) => r.source));
    const keep = new Set([...documents.map((d) => d.source), ...problems.map((p) => p.source)]);
    const removed = await this.store.remove([...stored.keys()].filter((s) => !keep.has(s)));
    return {
      store: this.store.kind,
      added: changed.filter((d) => storedNow.has(d.source) && !stored.has(d.source)).map((d) => d.source),
      replaced: changed.filter((d) => storedNow.has(d.source) && stored.has(d.source)).map((d) => d.source),
      unchanged: documents.length - changed.length,
      removed,
      failed: [...problems, ...failedPuts.map((r) => ({ source: r.source, reason: r.ok ? '' : r.error }))],
      durationMs: Date.now() - started,
    };
  }
}
