import { randomBytes } from 'node:crypto';
import type { RecordedRequest } from './fake-http-server';
import { OpenAIHttpError } from './openai.fake';
import { body, checkAttributes, counts, multipart, searchPage, type Attributes } from './openai-vector-stores.rules';

/**
 * Files, vector stores, file batches, vector-store files (with attributes) and
 * `vectorStores.search`, as shared/reference/openai.md §5 describes them, on the OpenAI fake's server:
 *
 * - `POST /v1/files` (multipart: file + purpose), `DELETE /v1/files/:id` (also leaves every store);
 * - stores: create / retrieve; files: attach / list (cursor pages, `filter`) / retrieve / detach;
 * - file batches: create (`files:[{file_id, attributes}]` xor `file_ids`), retrieve, list files. A batch
 *   and its files are `in_progress` on the first retrieve and settle on the next (`completed`, or
 *   `failed` with `last_error` for a file `failFiles` names);
 * - search: lexical scoring (share of the query's words a chunk holds, 0–1), attribute filters,
 *   `ranking_options.score_threshold`, `max_num_results` 1–50.
 * Wrong bodies are refused with OpenAI's 400s (attributes over the limits, unknown files, …).
 */
type Handler = (req: RecordedRequest, params: Record<string, string>) => unknown;

export interface FakeFile {
  id: string;
  filename: string;
  purpose: string;
  content: string;
  bytes: number;
  created_at: number;
}

export interface FakeStoreFile {
  id: string;
  status: 'in_progress' | 'completed' | 'failed' | 'cancelled';
  attributes: Attributes;
  last_error: { code: string; message: string } | null;
  created_at: number;
}

export interface FakeVectorStore {
  id: string;
  name: string;
  metadata: Record<string, string>;
  files: Map<string, FakeStoreFile>;
  created_at: number;
}

interface Batch {
  id: string;
  storeId: string;
  fileIds: string[];
  polls: number;
  created_at: number;
}

const PURPOSES = ['assistants', 'user_data', 'batch', 'fine-tune', 'vision', 'evals'];
const now = () => Math.floor(Date.now() / 1000);
const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export class FakeVectorStores {
  readonly files = new Map<string, FakeFile>();
  readonly stores = new Map<string, FakeVectorStore>();
  private readonly batches = new Map<string, Batch>();
  private readonly failing = new Map<string, { code: string; message: string }>();

  constructor(api: (method: string, template: string, handler: Handler) => void) {
    api('POST', '/v1/files', (req) => this.upload(req));
    api('DELETE', '/v1/files/:id', (_req, p) => this.deleteFile(p.id));
    api('POST', '/v1/vector_stores', (req) => this.createStore(body(req)));
    api('GET', '/v1/vector_stores/:id', (_req, p) => this.publicStore(this.store(p.id)));
    api('POST', '/v1/vector_stores/:id/files', (req, p) => {
      const b = body(req);
      return this.publicFile(p.id, this.attach(this.store(p.id), String(b.file_id), checkAttributes(b.attributes)));
    });
    api('GET', '/v1/vector_stores/:id/files', (req, p) => this.listFiles(p.id, req.query, undefined));
    api('GET', '/v1/vector_stores/:id/files/:file', (_req, p) => this.publicFile(p.id, this.storeFile(p.id, p.file)));
    api('DELETE', '/v1/vector_stores/:id/files/:file', (_req, p) => {
      this.storeFile(p.id, p.file);
      this.store(p.id).files.delete(p.file);
      return { id: p.file, object: 'vector_store.file.deleted', deleted: true };
    });
    api('POST', '/v1/vector_stores/:id/file_batches', (req, p) => this.createBatch(p.id, body(req)));
    api('GET', '/v1/vector_stores/:id/file_batches/:batch', (_req, p) => this.pollBatch(p.id, p.batch));
    api('GET', '/v1/vector_stores/:id/file_batches/:batch/files', (req, p) =>
      this.listFiles(p.id, req.query, this.batch(p.id, p.batch).fileIds),
    );
    api('POST', '/v1/vector_stores/:id/search', (req, p) => this.search(this.store(p.id), body(req)));
  }

  /** Files uploaded under this name fail processing with this error (until `reset`). */
  failFiles(filename: string, error = { code: 'unsupported_file', message: 'The file type is not supported.' }): this {
    this.failing.set(filename, error);
    return this;
  }

  /** The text of every completed file of a store, by file name (what search can find). */
  contents(storeId: string): Record<string, string> {
    const store = this.store(storeId);
    return Object.fromEntries(
      [...store.files.values()]
        .filter((f) => f.status === 'completed')
        .map((f) => [this.files.get(f.id)?.filename ?? f.id, this.files.get(f.id)?.content ?? '']),
    );
  }

  reset(): void {
    this.files.clear();
    this.stores.clear();
    this.batches.clear();
    this.failing.clear();
  }

  private upload(req: RecordedRequest) {
    const parts = multipart(req);
    const file = parts.find((p) => p.name === 'file');
    const purpose = parts.find((p) => p.name === 'purpose')?.value;
    if (!file || file.filename === undefined)
      throw new OpenAIHttpError(400, "Missing required parameter: 'file'.", 'file');
    if (!purpose || !PURPOSES.includes(purpose)) {
      throw new OpenAIHttpError(400, `Invalid value for 'purpose': ${purpose ?? 'none'}.`, 'purpose');
    }
    const f: FakeFile = {
      id: id('file'),
      filename: file.filename,
      purpose,
      content: file.value,
      bytes: Buffer.byteLength(file.value),
      created_at: now(),
    };
    this.files.set(f.id, f);
    return {
      id: f.id,
      object: 'file',
      bytes: f.bytes,
      created_at: f.created_at,
      filename: f.filename,
      purpose,
      status: 'processed',
    };
  }

  private deleteFile(fileId: string) {
    if (!this.files.delete(fileId)) throw new OpenAIHttpError(404, `No such File object: ${fileId}`, 'id');
    for (const store of this.stores.values()) store.files.delete(fileId);
    return { id: fileId, object: 'file', deleted: true };
  }

  private createStore(b: Record<string, unknown>) {
    const metadata = (b.metadata ?? {}) as Record<string, string>;
    if (Object.keys(metadata).length > 16) throw new OpenAIHttpError(400, 'metadata: at most 16 pairs', 'metadata');
    const store: FakeVectorStore = {
      id: id('vs'),
      name: typeof b.name === 'string' ? b.name : '',
      metadata,
      files: new Map(),
      created_at: now(),
    };
    this.stores.set(store.id, store);
    return this.publicStore(store);
  }

  private attach(store: FakeVectorStore, fileId: string, attributes: Attributes): FakeStoreFile {
    if (!this.files.has(fileId)) throw new OpenAIHttpError(404, `File ${fileId} not found.`, 'file_id');
    const entry: FakeStoreFile = { id: fileId, status: 'in_progress', attributes, last_error: null, created_at: now() };
    store.files.set(fileId, entry);
    return entry;
  }

  private createBatch(storeId: string, b: Record<string, unknown>) {
    const store = this.store(storeId);
    if ((b.files === undefined) === (b.file_ids === undefined)) {
      throw new OpenAIHttpError(400, "Exactly one of 'files' or 'file_ids' must be provided.", 'files');
    }
    const entries: { file_id: string; attributes: Attributes }[] = Array.isArray(b.files)
      ? (b.files as Record<string, unknown>[]).map((f) => ({
          file_id: String(f.file_id),
          attributes: checkAttributes(f.attributes),
        }))
      : ((b.file_ids as unknown[]) ?? []).map((f) => ({
          file_id: String(f),
          attributes: checkAttributes(b.attributes),
        }));
    if (entries.length === 0 || entries.length > 2000) {
      throw new OpenAIHttpError(400, 'A batch holds 1 to 2000 files.', Array.isArray(b.files) ? 'files' : 'file_ids');
    }
    for (const e of entries)
      if (!this.files.has(e.file_id)) throw new OpenAIHttpError(404, `File ${e.file_id} not found.`);
    for (const e of entries) this.attach(store, e.file_id, e.attributes);
    const batch: Batch = {
      id: id('vsfb'),
      storeId,
      fileIds: entries.map((e) => e.file_id),
      polls: 0,
      created_at: now(),
    };
    this.batches.set(batch.id, batch);
    return this.publicBatch(batch);
  }

  /** Processing advances as the client polls: in progress once, then settled. */
  private pollBatch(storeId: string, batchId: string) {
    const batch = this.batch(storeId, batchId);
    if (++batch.polls >= 2) {
      const store = this.store(storeId);
      for (const fileId of batch.fileIds) {
        const entry = store.files.get(fileId);
        if (!entry || entry.status !== 'in_progress') continue;
        const failure = this.failing.get(this.files.get(fileId)?.filename ?? '');
        entry.status = failure ? 'failed' : 'completed';
        entry.last_error = failure ?? null;
      }
    }
    return this.publicBatch(batch);
  }

  private listFiles(storeId: string, query: URLSearchParams, only: string[] | undefined) {
    const filter = query.get('filter');
    const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 20) || 20));
    let files = [...this.store(storeId).files.values()].filter((f) => !only || only.includes(f.id));
    if (filter) files = files.filter((f) => f.status === filter);
    const after = query.get('after');
    if (after) files = files.slice(files.findIndex((f) => f.id === after) + 1);
    const data = files.slice(0, limit).map((f) => this.publicFile(storeId, f));
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: files.length > limit,
    };
  }

  private search(store: FakeVectorStore, b: Record<string, unknown>) {
    const completed = [...store.files.values()].filter((f) => f.status === 'completed');
    return searchPage(
      completed.map((f) => ({ id: f.id, attributes: f.attributes, file: this.files.get(f.id)! })),
      b,
    );
  }

  private store(storeId: string): FakeVectorStore {
    const store = this.stores.get(storeId);
    if (!store) throw new OpenAIHttpError(404, `No vector store found with id '${storeId}'.`);
    return store;
  }

  private storeFile(storeId: string, fileId: string): FakeStoreFile {
    const f = this.store(storeId).files.get(fileId);
    if (!f) throw new OpenAIHttpError(404, `No file found with id '${fileId}' in vector store '${storeId}'.`);
    return f;
  }

  private batch(storeId: string, batchId: string): Batch {
    const batch = this.batches.get(batchId);
    if (!batch || batch.storeId !== storeId)
      throw new OpenAIHttpError(404, `No file batch found with id '${batchId}'.`);
    return batch;
  }

  private publicStore(store: FakeVectorStore) {
    const files = [...store.files.values()];
    return {
      id: store.id,
      object: 'vector_store',
      name: store.name,
      metadata: store.metadata,
      created_at: store.created_at,
      status: files.some((f) => f.status === 'in_progress') ? 'in_progress' : 'completed',
      file_counts: counts(files),
      usage_bytes: files.reduce((n, f) => n + (this.files.get(f.id)?.bytes ?? 0), 0),
    };
  }

  private publicFile(storeId: string, f: FakeStoreFile) {
    return {
      id: f.id,
      object: 'vector_store.file',
      vector_store_id: storeId,
      status: f.status,
      attributes: f.attributes,
      last_error: f.last_error,
      created_at: f.created_at,
      usage_bytes: this.files.get(f.id)?.bytes ?? 0,
    };
  }

  private publicBatch(batch: Batch) {
    const store = this.store(batch.storeId);
    const files = batch.fileIds.map((fid) => store.files.get(fid)).filter((f): f is FakeStoreFile => f !== undefined);
    const c = counts(files);
    return {
      id: batch.id,
      object: 'vector_store.files_batch',
      vector_store_id: batch.storeId,
      created_at: batch.created_at,
      status: c.in_progress > 0 ? 'in_progress' : 'completed',
      file_counts: c,
    };
  }
}
