import { FakeHttpServer, type FakeResponse, type RecordedRequest } from './fake-http-server';

/**
 * Fake Airtable Web API (`/v0/{baseId}/{table}`) for the `airtable` SDK 0.12 and plain fetch.
 *
 * Wire behaviour modelled on the real API and on what the SDK parses (node_modules/airtable/lib/base.js
 * `_checkStatusForError`):
 * - 401 `{"error":{"type":"AUTHENTICATION_REQUIRED",…}}` for a missing or unknown bearer token;
 * - 403 `{"error":{"type":"INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",…}}` when the token is not allowed on the base,
 *   and (by default, as the real API does with personal access tokens) for an unknown base or table;
 *   `unknownModelStatus: 404` answers those with 404 `{"error":{"type":"NOT_FOUND",…}}` instead;
 * - 422 `{"error":{"type":"INVALID_FILTER_BY_FORMULA",…}}` and friends for bad requests;
 * - 429 `{"errors":[{"error":"RATE_LIMIT_REACHED",…}]}` above 5 requests per rolling second per base, and for
 *   every request to that base during the penalty that follows (30 s real, `penaltyMs` here).
 *
 * The SDK writes `POST`/`PATCH`/`PUT` to `/v0/{base}/{table}/` (trailing slash) and list `GET`s without one;
 * both forms are routed.
 */

export type AirtableFieldValue = unknown;
export type AirtableFields = Record<string, AirtableFieldValue>;

export interface AirtableRecordJson {
  id: string;
  createdTime: string;
  fields: AirtableFields;
}

export interface FakeAirtableOptions {
  /** Requests allowed per base per rolling window (default 5). */
  requestsPerWindow?: number;
  /** Rolling window (default 1000 ms). */
  windowMs?: number;
  /** How long every request to a base is refused after a violation (real API: 30 s; default 30000). */
  penaltyMs?: number;
  /** Turn the rate limiter off (default on). */
  rateLimit?: boolean;
  /** Status for an unknown base/table: 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND (real, default) or 404 NOT_FOUND. */
  unknownModelStatus?: 403 | 404;
  /** Token allowed on every base (default `patFAKE.all-bases`). */
  token?: string;
}

interface FakeTable {
  /** Declared field names; when set, unknown names are rejected (UNKNOWN_FIELD_NAME / formula errors). */
  fieldNames?: Set<string>;
  records: AirtableRecordJson[];
}

interface FakeBase {
  tables: Map<string, FakeTable>;
}

/** `tables`: table names, or table name → declared field names. */
export type FakeTablesSpec = string[] | Record<string, string[] | undefined>;

type Guarded = { table: FakeTable; baseId: string; tableName: string } | FakeResponse;

const err = (status: number, type: string, message: string): FakeResponse => ({
  status,
  body: { error: { type, message } },
});

const MAX_RECORDS_PER_WRITE = 10;
const MAX_PAGE_SIZE = 100;

export class FakeAirtable extends FakeHttpServer {
  /** Token allowed on every base. */
  readonly token: string;
  /** New rate-limit violations (a request refused during an ongoing penalty is not a new violation). */
  rateLimitViolations = 0;
  /** Every 429 sent, violations and penalty refusals together. */
  rateLimitedResponses = 0;

  private readonly bases = new Map<string, FakeBase>();
  private readonly tokens = new Map<string, Set<string> | '*'>();
  private readonly hits = new Map<string, number[]>();
  private readonly penaltyUntil = new Map<string, number>();
  private readonly opts: Required<Omit<FakeAirtableOptions, 'token'>>;
  private idCounter = 0;
  private tokenCounter = 0;

  constructor(options: FakeAirtableOptions = {}) {
    super('airtable');
    this.opts = {
      requestsPerWindow: options.requestsPerWindow ?? 5,
      windowMs: options.windowMs ?? 1000,
      penaltyMs: options.penaltyMs ?? 30_000,
      rateLimit: options.rateLimit ?? true,
      unknownModelStatus: options.unknownModelStatus ?? 403,
    };
    this.token = options.token ?? 'patFAKE.all-bases';
    this.tokens.set(this.token, '*');

    for (const suffix of ['', '/']) {
      const t = `/v0/:base/:table${suffix}`;
      this.route('GET', t, (req, p) => this.list(req, p.base, p.table, req.query));
      this.route('POST', t, (req, p) => this.create(req, p.base, p.table));
      this.route('PATCH', t, (req, p) => this.updateMany(req, p.base, p.table, false));
      this.route('PUT', t, (req, p) => this.updateMany(req, p.base, p.table, true));
      this.route('DELETE', t, (req, p) => this.destroyMany(req, p.base, p.table));
    }
    this.route('POST', '/v0/:base/:table/listRecords', (req, p) =>
      this.list(req, p.base, p.table, bodyAsParams(req.body)),
    );
    this.route('GET', '/v0/:base/:table/:recordId', (req, p) => this.getOne(req, p.base, p.table, p.recordId));
    this.route('PATCH', '/v0/:base/:table/:recordId', (req, p) =>
      this.updateOne(req, p.base, p.table, p.recordId, false),
    );
    this.route('PUT', '/v0/:base/:table/:recordId', (req, p) => this.updateOne(req, p.base, p.table, p.recordId, true));
    this.route('DELETE', '/v0/:base/:table/:recordId', (req, p) => this.destroyOne(req, p.base, p.table, p.recordId));
  }

  // ---------------------------------------------------------------- helpers for tests

  /** Create (or replace) a base with empty tables. */
  createBase(baseId: string, tables: FakeTablesSpec): this {
    const base: FakeBase = { tables: new Map() };
    const entries: [string, string[] | undefined][] = Array.isArray(tables)
      ? tables.map((t) => [t, undefined])
      : Object.entries(tables);
    for (const [name, fields] of entries) {
      base.tables.set(name, { fieldNames: fields ? new Set(fields) : undefined, records: [] });
    }
    this.bases.set(baseId, base);
    return this;
  }

  /** A new token allowed only on these bases. */
  tokenFor(baseIds: string[]): string {
    const token = `patFAKE${++this.tokenCounter}.${baseIds.join('-') || 'none'}`;
    this.tokens.set(token, new Set(baseIds));
    return token;
  }

  /** The live record list of a table (throws for an unknown table). */
  records(baseId: string, table: string): AirtableRecordJson[] {
    return this.tableOrThrow(baseId, table).records;
  }

  /** Insert records directly (no request, no rate limit); returns them. */
  seed(baseId: string, table: string, fields: AirtableFields[]): AirtableRecordJson[] {
    const t = this.tableOrThrow(baseId, table);
    const created = fields.map((f) => this.newRecord(f));
    t.records.push(...created);
    return created;
  }

  /** Forget request timestamps and penalties (counters stay). */
  resetRateLimits(): void {
    this.hits.clear();
    this.penaltyUntil.clear();
  }

  /** Requests, faults, latency, rate-limit state and counters. Data stays. */
  override reset(): void {
    super.reset();
    this.resetRateLimits();
    this.rateLimitViolations = 0;
    this.rateLimitedResponses = 0;
  }

  /** Is the base currently in its post-violation penalty? */
  inPenalty(baseId: string, now = Date.now()): boolean {
    return (this.penaltyUntil.get(baseId) ?? 0) > now;
  }

  // ---------------------------------------------------------------- wire protocol

  protected override notFound(req: RecordedRequest): FakeResponse {
    return err(404, 'NOT_FOUND', `Could not find what you are looking for (${req.method} ${req.path})`);
  }

  private guard(req: RecordedRequest, baseId: string, tableName: string): Guarded {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    const allowed = m ? this.tokens.get(m[1]) : undefined;
    if (!allowed) return err(401, 'AUTHENTICATION_REQUIRED', 'Authentication required');
    if (allowed !== '*' && !allowed.has(baseId)) return this.invalidPermissions();

    const limited = this.rateLimit(baseId, req.at);
    if (limited) return limited;

    const base = this.bases.get(baseId);
    if (!base) return this.unknownModel(`Could not find base ${baseId}`);
    const table = base.tables.get(tableName);
    if (!table) return this.unknownModel(`Could not find table ${tableName} in application ${baseId}`);
    return { table, baseId, tableName };
  }

  private rateLimit(baseId: string, now: number): FakeResponse | undefined {
    if (!this.opts.rateLimit) return undefined;
    const refuse = (): FakeResponse => {
      this.rateLimitedResponses += 1;
      return {
        status: 429,
        body: { errors: [{ error: 'RATE_LIMIT_REACHED', message: 'Rate limit exceeded. Please try again later' }] },
      };
    };
    if (this.inPenalty(baseId, now)) return refuse();
    const recent = (this.hits.get(baseId) ?? []).filter((t) => t > now - this.opts.windowMs);
    if (recent.length >= this.opts.requestsPerWindow) {
      this.rateLimitViolations += 1;
      this.penaltyUntil.set(baseId, now + this.opts.penaltyMs);
      // The penalty supersedes the window: once it ends the base starts with a clean window.
      this.hits.set(baseId, []);
      return refuse();
    }
    recent.push(now);
    this.hits.set(baseId, recent);
    return undefined;
  }

  private invalidPermissions(): FakeResponse {
    return err(
      403,
      'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
      'Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct.',
    );
  }

  private unknownModel(message: string): FakeResponse {
    return this.opts.unknownModelStatus === 404 ? err(404, 'NOT_FOUND', message) : this.invalidPermissions();
  }

  private list(req: RecordedRequest, baseId: string, tableName: string, q: URLSearchParams): FakeResponse {
    const g = this.guard(req, baseId, tableName);
    if ('status' in g) return g;

    let rows = g.table.records;
    const formula = q.get('filterByFormula');
    if (formula) {
      let expr: Expr;
      try {
        expr = parseFormula(formula);
        const unknown = [...fieldRefs(expr)].filter((f) => g.table.fieldNames && !g.table.fieldNames.has(f));
        if (unknown.length) throw new FormulaError(`Unknown field names: ${unknown.join(', ')}`);
      } catch (e) {
        if (!(e instanceof FormulaError)) throw e;
        return err(422, 'INVALID_FILTER_BY_FORMULA', `The formula for filtering records is invalid: ${e.message}`);
      }
      rows = rows.filter((r) => truthy(evaluate(expr, r)));
    }

    const maxRecords = intParam(q.get('maxRecords'));
    const pageSizeRaw = intParam(q.get('pageSize'));
    if (maxRecords === null || pageSizeRaw === null) {
      return err(422, 'INVALID_REQUEST_UNKNOWN', 'Invalid request: parameter validation failed');
    }
    if (maxRecords !== undefined) rows = rows.slice(0, maxRecords);
    const pageSize = Math.min(pageSizeRaw ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);

    let start = 0;
    const offset = q.get('offset');
    if (offset) {
      const m = /^itr(\d+)\/rec/.exec(offset);
      if (!m) return err(422, 'LIST_RECORDS_ITERATOR_NOT_AVAILABLE', 'The offset is invalid or has expired');
      start = Number(m[1]);
    }
    const page = rows.slice(start, start + pageSize);
    const wanted = q.getAll('fields[]');
    const body: { records: AirtableRecordJson[]; offset?: string } = {
      records: page.map((r) => (wanted.length ? { ...r, fields: pick(r.fields, wanted) } : r)),
    };
    const next = start + pageSize;
    if (next < rows.length) body.offset = `itr${next}/${rows[next].id}`;
    return { status: 200, body };
  }

  private getOne(req: RecordedRequest, baseId: string, tableName: string, recordId: string): FakeResponse {
    const g = this.guard(req, baseId, tableName);
    if ('status' in g) return g;
    const rec = g.table.records.find((r) => r.id === recordId);
    return rec ? { status: 200, body: rec } : this.recordNotFound(recordId);
  }

  private create(req: RecordedRequest, baseId: string, tableName: string): FakeResponse {
    const g = this.guard(req, baseId, tableName);
    if ('status' in g) return g;
    const body = req.body as { records?: unknown; fields?: unknown } | undefined;
    if (!isObject(body)) return err(400, 'INVALID_REQUEST_UNKNOWN', 'Invalid request: body is not valid JSON');

    if (body.records === undefined && isObject(body.fields)) {
      const bad = this.checkFields(g.table, body.fields);
      if (bad) return bad;
      const rec = this.newRecord(body.fields);
      g.table.records.push(rec);
      return { status: 200, body: rec };
    }
    const list = this.recordList(body.records);
    if ('status' in list) return list;
    for (const r of list) {
      if (!isObject(r.fields)) return err(422, 'INVALID_RECORDS', 'Each record needs a "fields" object');
      const bad = this.checkFields(g.table, r.fields);
      if (bad) return bad;
    }
    const created = list.map((r) => this.newRecord(r.fields as AirtableFields));
    g.table.records.push(...created);
    return { status: 200, body: { records: created } };
  }

  private updateMany(req: RecordedRequest, baseId: string, tableName: string, replace: boolean): FakeResponse {
    const g = this.guard(req, baseId, tableName);
    if ('status' in g) return g;
    const body = req.body as { records?: unknown; performUpsert?: unknown } | undefined;
    if (!isObject(body)) return err(400, 'INVALID_REQUEST_UNKNOWN', 'Invalid request: body is not valid JSON');
    const list = this.recordList(body.records);
    if ('status' in list) return list;
    for (const r of list) {
      if (!isObject(r.fields)) return err(422, 'INVALID_RECORDS', 'Each record needs a "fields" object');
      const bad = this.checkFields(g.table, r.fields);
      if (bad) return bad;
    }

    if (body.performUpsert !== undefined) return this.upsert(g.table, body.performUpsert, list, replace);

    const targets: AirtableRecordJson[] = [];
    for (const r of list) {
      if (typeof r.id !== 'string')
        return err(422, 'INVALID_RECORDS', 'Each record needs an "id" (or use performUpsert)');
      const rec = g.table.records.find((x) => x.id === r.id);
      if (!rec) return this.recordNotFound(r.id);
      targets.push(rec);
    }
    list.forEach((r, i) => applyFields(targets[i], r.fields as AirtableFields, replace));
    return { status: 200, body: { records: targets } };
  }

  private upsert(
    table: FakeTable,
    performUpsert: unknown,
    list: { id?: unknown; fields?: unknown }[],
    replace: boolean,
  ): FakeResponse {
    const merge = isObject(performUpsert) ? performUpsert.fieldsToMergeOn : undefined;
    if (
      !Array.isArray(merge) ||
      merge.length < 1 ||
      merge.length > 3 ||
      !merge.every((f): f is string => typeof f === 'string')
    ) {
      return err(422, 'INVALID_REQUEST_UNKNOWN', 'performUpsert.fieldsToMergeOn must list 1 to 3 field names');
    }
    if (table.fieldNames) {
      const unknown = merge.find((f) => !table.fieldNames!.has(f));
      if (unknown) return err(422, 'UNKNOWN_FIELD_NAME', `Unknown field name: "${unknown}"`);
    }
    const result: AirtableRecordJson[] = [];
    const createdRecords: string[] = [];
    const updatedRecords: string[] = [];
    for (const r of list) {
      const fields = r.fields as AirtableFields;
      if (typeof r.id === 'string') {
        const rec = table.records.find((x) => x.id === r.id);
        if (!rec) return this.recordNotFound(r.id);
        applyFields(rec, fields, replace);
        result.push(rec);
        updatedRecords.push(rec.id);
        continue;
      }
      const missing = merge.find((f) => isBlank(fields[f]));
      if (missing) {
        return err(
          422,
          'INVALID_VALUE_FOR_COLUMN',
          `Field "${missing}" is used in fieldsToMergeOn and must have a value`,
        );
      }
      const matches = table.records.filter((x) =>
        merge.every((f) => cellString(x.fields[f]) === cellString(fields[f])),
      );
      if (matches.length > 1) {
        return err(
          422,
          'INVALID_REQUEST_UNKNOWN',
          `Upsert matched ${matches.length} records on ${merge.join(', ')}; it can only update one`,
        );
      }
      if (matches.length === 1) {
        applyFields(matches[0], fields, replace);
        result.push(matches[0]);
        updatedRecords.push(matches[0].id);
      } else {
        const rec = this.newRecord(fields);
        table.records.push(rec);
        result.push(rec);
        createdRecords.push(rec.id);
      }
    }
    return { status: 200, body: { records: result, createdRecords, updatedRecords } };
  }

  private updateOne(
    req: RecordedRequest,
    baseId: string,
    tableName: string,
    recordId: string,
    replace: boolean,
  ): FakeResponse {
    const g = this.guard(req, baseId, tableName);
    if ('status' in g) return g;
    const body = req.body as { fields?: unknown } | undefined;
    if (!isObject(body) || !isObject(body.fields))
      return err(422, 'INVALID_REQUEST_MISSING_FIELDS', 'Missing "fields"');
    const bad = this.checkFields(g.table, body.fields);
    if (bad) return bad;
    const rec = g.table.records.find((r) => r.id === recordId);
    if (!rec) return this.recordNotFound(recordId);
    applyFields(rec, body.fields, replace);
    return { status: 200, body: rec };
  }

  private destroyOne(req: RecordedRequest, baseId: string, tableName: string, recordId: string): FakeResponse {
    const g = this.guard(req, baseId, tableName);
    if ('status' in g) return g;
    const i = g.table.records.findIndex((r) => r.id === recordId);
    if (i < 0) return this.recordNotFound(recordId);
    g.table.records.splice(i, 1);
    return { status: 200, body: { id: recordId, deleted: true } };
  }

  private destroyMany(req: RecordedRequest, baseId: string, tableName: string): FakeResponse {
    const g = this.guard(req, baseId, tableName);
    if ('status' in g) return g;
    const ids = [...req.query.getAll('records[]'), ...req.query.getAll('records')];
    if (ids.length < 1 || ids.length > MAX_RECORDS_PER_WRITE) {
      return err(422, 'INVALID_RECORDS', `Delete between 1 and ${MAX_RECORDS_PER_WRITE} records per request`);
    }
    const missing = ids.find((id) => !g.table.records.some((r) => r.id === id));
    if (missing) return this.recordNotFound(missing);
    for (const id of ids)
      g.table.records.splice(
        g.table.records.findIndex((r) => r.id === id),
        1,
      );
    return { status: 200, body: { records: ids.map((id) => ({ id, deleted: true })) } };
  }

  private recordList(records: unknown): { id?: unknown; fields?: unknown }[] | FakeResponse {
    if (!Array.isArray(records) || records.length === 0 || !records.every(isObject)) {
      return err(422, 'INVALID_RECORDS', '"records" must be a non-empty array of objects');
    }
    if (records.length > MAX_RECORDS_PER_WRITE) {
      return err(422, 'INVALID_RECORDS', `You can send at most ${MAX_RECORDS_PER_WRITE} records per request`);
    }
    return records;
  }

  private checkFields(table: FakeTable, fields: Record<string, unknown>): FakeResponse | undefined {
    if (!table.fieldNames) return undefined;
    const unknown = Object.keys(fields).find((f) => !table.fieldNames!.has(f));
    return unknown ? err(422, 'UNKNOWN_FIELD_NAME', `Unknown field name: "${unknown}"`) : undefined;
  }

  private recordNotFound(recordId: string): FakeResponse {
    return err(404, 'MODEL_ID_NOT_FOUND', `Could not find a record with ID "${recordId}".`);
  }

  private tableOrThrow(baseId: string, table: string): FakeTable {
    const t = this.bases.get(baseId)?.tables.get(table);
    if (!t) throw new Error(`FakeAirtable: no table ${baseId}/${table}; call createBase first`);
    return t;
  }

  private newRecord(fields: AirtableFields): AirtableRecordJson {
    const n = ++this.idCounter;
    return {
      id: `rec${n.toString(36).toUpperCase().padStart(14, '0')}`,
      createdTime: new Date().toISOString(),
      fields: withoutBlanks({ ...fields }),
    };
  }
}

// ------------------------------------------------------------------ small helpers

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** The API omits empty cells from `fields`. */
function withoutBlanks(fields: AirtableFields): AirtableFields {
  for (const k of Object.keys(fields)) if (isBlank(fields[k]) || fields[k] === false) delete fields[k];
  return fields;
}

function applyFields(rec: AirtableRecordJson, fields: AirtableFields, replace: boolean): void {
  rec.fields = withoutBlanks(replace ? { ...fields } : { ...rec.fields, ...fields });
}

function pick(fields: AirtableFields, names: string[]): AirtableFields {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => names.includes(k)));
}

/** undefined when absent, null when not a non-negative integer. */
function intParam(v: string | null): number | undefined | null {
  if (v === null || v === '') return undefined;
  return /^\d+$/.test(v) ? Number(v) : null;
}

/** The SDK's POST …/listRecords body as query-like params. */
function bodyAsParams(body: unknown): URLSearchParams {
  const q = new URLSearchParams();
  if (!isObject(body)) return q;
  for (const [k, v] of Object.entries(body)) {
    if (k === 'fields' && Array.isArray(v)) for (const f of v) q.append('fields[]', String(f));
    else if (typeof v === 'string' || typeof v === 'number') q.set(k, String(v));
  }
  return q;
}

function cellString(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(cellString).join(', ');
  return JSON.stringify(v);
}

// ------------------------------------------------------------------ filterByFormula subset

/**
 * Supported: `{Field Name}` (and bare `Field`) references, 'single' / "double" quoted strings with backslash
 * escapes (`\\`, `\'`, `\"`, `\n`, `\t`), numbers, `= != < > <= >=`, `&` (concatenation), and the functions
 * AND, OR, NOT, TRUE, FALSE, BLANK, RECORD_ID, LOWER, UPPER, TRIM, LEN. Anything else is a 422.
 */
export class FormulaError extends Error {}

type Expr =
  | { kind: 'field'; name: string }
  | { kind: 'lit'; value: string | number | boolean | null }
  | { kind: 'bin'; op: string; left: Expr; right: Expr }
  | { kind: 'call'; name: string; args: Expr[] };

type Token =
  | { t: 'field'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'ident'; v: string }
  | { t: 'op'; v: string }
  | { t: 'punc'; v: '(' | ')' | ',' };

const FUNCTIONS: Record<string, [min: number, max: number]> = {
  AND: [1, Infinity],
  OR: [1, Infinity],
  NOT: [1, 1],
  TRUE: [0, 0],
  FALSE: [0, 0],
  BLANK: [0, 0],
  RECORD_ID: [0, 0],
  LOWER: [1, 1],
  UPPER: [1, 1],
  TRIM: [1, 1],
  LEN: [1, 1],
};

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const readEscaped = (close: string): string => {
    let s = '';
    i++;
    for (;;) {
      if (i >= src.length) throw new FormulaError('Unterminated string or field reference');
      const c = src[i];
      if (c === '\\') {
        const n = src[i + 1];
        if (n === undefined) throw new FormulaError('Unterminated escape');
        s += n === 'n' ? '\n' : n === 't' ? '\t' : n;
        i += 2;
        continue;
      }
      if (c === close) {
        i++;
        return s;
      }
      s += c;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '{') {
      out.push({ t: 'field', v: readEscaped('}') });
    } else if (c === "'" || c === '"') {
      out.push({ t: 'str', v: readEscaped(c) });
    } else if (/[0-9.]/.test(c)) {
      const m = /^\d*\.?\d+|^\d+/.exec(src.slice(i));
      if (!m) throw new FormulaError(`Unexpected "${c}"`);
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    } else if (src.startsWith('!=', i) || src.startsWith('<=', i) || src.startsWith('>=', i)) {
      out.push({ t: 'op', v: src.slice(i, i + 2) });
      i += 2;
    } else if ('=<>&'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: 'punc', v: c });
      i++;
    } else {
      throw new FormulaError(`Unexpected "${c}"`);
    }
  }
  return out;
}

function parseFormula(src: string): Expr {
  const toks = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => toks[pos];
  const isPunc = (v: string): boolean => {
    const t = peek();
    return t?.t === 'punc' && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isPunc(v)) throw new FormulaError(`Expected "${v}"`);
    pos++;
  };

  const comparison = (): Expr => {
    let left = concat();
    for (let t = peek(); t?.t === 'op' && t.v !== '&'; t = peek()) {
      pos++;
      left = { kind: 'bin', op: t.v, left, right: concat() };
    }
    return left;
  };
  const concat = (): Expr => {
    let left = primary();
    for (let t = peek(); t?.t === 'op' && t.v === '&'; t = peek()) {
      pos++;
      left = { kind: 'bin', op: '&', left, right: primary() };
    }
    return left;
  };
  const primary = (): Expr => {
    const t = peek();
    if (!t) throw new FormulaError('Unexpected end of formula');
    pos++;
    if (t.t === 'field') return { kind: 'field', name: t.v };
    if (t.t === 'str' || t.t === 'num') return { kind: 'lit', value: t.v };
    if (t.t === 'punc' && t.v === '(') {
      const e = comparison();
      expect(')');
      return e;
    }
    if (t.t === 'ident') {
      if (!isPunc('(')) return { kind: 'field', name: t.v };
      const name = t.v.toUpperCase();
      const arity = FUNCTIONS[name];
      if (!arity) throw new FormulaError(`Unknown function ${t.v}`);
      pos++;
      const args: Expr[] = [];
      if (!isPunc(')')) {
        args.push(comparison());
        while (isPunc(',')) {
          pos++;
          args.push(comparison());
        }
      }
      expect(')');
      if (args.length < arity[0] || args.length > arity[1]) throw new FormulaError(`Wrong argument count for ${name}`);
      return { kind: 'call', name, args };
    }
    throw new FormulaError(`Unexpected token ${JSON.stringify(t.v)}`);
  };

  const e = comparison();
  if (pos !== toks.length) throw new FormulaError(`Unexpected token ${JSON.stringify(toks[pos].v)}`);
  return e;
}

function fieldRefs(e: Expr, acc = new Set<string>()): Set<string> {
  if (e.kind === 'field') acc.add(e.name);
  else if (e.kind === 'bin') {
    fieldRefs(e.left, acc);
    fieldRefs(e.right, acc);
  } else if (e.kind === 'call') e.args.forEach((a) => fieldRefs(a, acc));
  return acc;
}

type Value = string | number | boolean | null;

function toValue(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return cellString(v);
}

function truthy(v: Value): boolean {
  return v !== null && v !== '' && v !== 0 && v !== false;
}

function asString(v: Value): string {
  return v === null ? '' : String(v);
}

function compare(op: string, a: Value, b: Value): boolean {
  const numeric = (typeof a === 'number' || typeof b === 'number') && a !== '' && b !== '';
  const x: string | number = numeric ? Number(a ?? 0) : asString(a);
  const y: string | number = numeric ? Number(b ?? 0) : asString(b);
  switch (op) {
    case '=':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
    default:
      throw new FormulaError(`Unknown operator ${op}`);
  }
}

function evaluate(e: Expr, rec: AirtableRecordJson): Value {
  switch (e.kind) {
    case 'field':
      return toValue(rec.fields[e.name]);
    case 'lit':
      return e.value;
    case 'bin': {
      const a = evaluate(e.left, rec);
      const b = evaluate(e.right, rec);
      return e.op === '&' ? asString(a) + asString(b) : compare(e.op, a, b);
    }
    case 'call': {
      const args = e.args.map((a) => evaluate(a, rec));
      switch (e.name) {
        case 'AND':
          return args.every(truthy);
        case 'OR':
          return args.some(truthy);
        case 'NOT':
          return !truthy(args[0]);
        case 'TRUE':
          return true;
        case 'FALSE':
          return false;
        case 'BLANK':
          return null;
        case 'RECORD_ID':
          return rec.id;
        case 'LOWER':
          return asString(args[0]).toLowerCase();
        case 'UPPER':
          return asString(args[0]).toUpperCase();
        case 'TRIM':
          return asString(args[0]).trim();
        case 'LEN':
          return asString(args[0]).length;
        default:
          throw new FormulaError(`Unknown function ${e.name}`);
      }
    }
  }
}
