/** The request rules of the vector-store fake: attributes, search filters, multipart uploads. */
import type { RecordedRequest } from './fake-http-server';
import { OpenAIHttpError } from './openai.fake';

/** A vector-store file's attributes as OpenAI stores them. */
export type Attributes = Record<string, string | number | boolean>;

/** ≤ 16 keys of ≤ 64 characters; values: strings ≤ 512 characters, numbers or booleans. */
export function checkAttributes(value: unknown): Attributes {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new OpenAIHttpError(400, "Invalid 'attributes'.", 'attributes');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 16) throw new OpenAIHttpError(400, "'attributes': at most 16 keys.", 'attributes');
  for (const [k, v] of entries) {
    if (k.length > 64)
      throw new OpenAIHttpError(400, `'attributes': key '${k.slice(0, 20)}…' is over 64 characters.`, 'attributes');
    const ok = typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 512);
    if (!ok)
      throw new OpenAIHttpError(
        400,
        `'attributes.${k}': a string of at most 512 characters, a number or a boolean.`,
        'attributes',
      );
  }
  return value as Attributes;
}

/** The comparison and compound filters of vectorStores.search, over a file's attributes. */
export function matches(attributes: Attributes, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true;
  const f = filter as { type: string; key?: string; value?: unknown; filters?: unknown[] };
  if (f.type === 'and') return (f.filters ?? []).every((g) => matches(attributes, g));
  if (f.type === 'or') return (f.filters ?? []).some((g) => matches(attributes, g));
  const have = attributes[f.key ?? ''];
  switch (f.type) {
    case 'eq':
      return have === f.value;
    case 'ne':
      return have !== f.value;
    case 'in':
      return Array.isArray(f.value) && f.value.includes(have);
    case 'nin':
      return Array.isArray(f.value) && !f.value.includes(have);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const [a, b] = [Number(have), Number(f.value)];
      return f.type === 'gt' ? a > b : f.type === 'gte' ? a >= b : f.type === 'lt' ? a < b : a <= b;
    }
    default:
      throw new OpenAIHttpError(400, `Invalid filter type '${f.type}'.`, 'filters');
  }
}

/** A multipart/form-data body's parts (text only: the knowledge files are text). */
export function multipart(req: RecordedRequest): { name: string; filename?: string; value: string }[] {
  const type = String(req.headers['content-type'] ?? '');
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (!boundary) throw new OpenAIHttpError(400, 'Expected a multipart/form-data body.');
  return req.rawBody
    .split(`--${boundary[1] ?? boundary[2]}`)
    .slice(1, -1)
    .map((part) => {
      const split = part.indexOf('\r\n\r\n');
      const head = part.slice(0, split);
      const value = part.slice(split + 4).replace(/\r\n$/, '');
      return {
        name: /name="([^"]*)"/.exec(head)?.[1] ?? '',
        filename: /filename="([^"]*)"/.exec(head)?.[1],
        value,
      };
    });
}

const STOP = new Set('the and for are you your with how what when does can our from this that have will'.split(' '));
const fold = (t: string) =>
  t
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3 && !STOP.has(w));

/**
 * `POST /v1/vector_stores/:id/search` over completed files: each file cut at blank lines, a chunk's
 * score the share of the query's words it holds (lexical, 0–1), attribute filters and the score
 * threshold applied, best first, at most `max_num_results` (1–50).
 */
export function searchPage(
  files: { id: string; attributes: Attributes; file: { filename: string; content: string } }[],
  b: Record<string, unknown>,
) {
  if (typeof b.query !== 'string' || !b.query.trim()) throw new OpenAIHttpError(400, "Invalid 'query'.", 'query');
  const max = b.max_num_results ?? 10;
  if (typeof max !== 'number' || max < 1 || max > 50) {
    throw new OpenAIHttpError(400, "Invalid 'max_num_results': must be between 1 and 50.", 'max_num_results');
  }
  const threshold = Number((b.ranking_options as { score_threshold?: number } | undefined)?.score_threshold ?? 0);
  const words = [...new Set(fold(b.query))];
  const hits = files
    .filter((f) => matches(f.attributes, b.filters))
    .flatMap(({ id, attributes, file }) =>
      file.content
        .split(/\n\s*\n/)
        .filter((chunk) => chunk.trim())
        .map((chunk) => {
          const have = new Set(fold(chunk));
          const score = words.length ? words.filter((w) => have.has(w)).length / words.length : 0;
          return {
            file_id: id,
            filename: file.filename,
            score,
            attributes,
            content: [{ type: 'text', text: chunk.trim() }],
          };
        }),
    )
    .filter((h) => h.score > 0 && h.score >= threshold)
    .sort((x, y) => y.score - x.score)
    .slice(0, max);
  return {
    object: 'vector_store.search_results.page',
    search_query: b.query,
    data: hits,
    has_more: false,
    next_page: null,
  };
}

/** `file_counts` of a store or a batch. */
export function counts(files: { status: 'in_progress' | 'completed' | 'failed' | 'cancelled' }[]) {
  const n = (s: string) => files.filter((f) => f.status === s).length;
  return {
    in_progress: n('in_progress'),
    completed: n('completed'),
    failed: n('failed'),
    cancelled: n('cancelled'),
    total: files.length,
  };
}

export function body(req: RecordedRequest): Record<string, unknown> {
  return req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
}
