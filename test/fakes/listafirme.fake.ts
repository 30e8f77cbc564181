import { FakeHttpServer, type FakeResponse, type RecordedRequest } from './fake-http-server';

/**
 * Fake ListaFirme.ro API: `search-v1.asp` (free) and `info-v1.asp` (pay per requested field).
 *
 * Parameters come from the query string and/or the body (form-encoded or multipart; the body wins).
 * Every answer is HTTP 200 `application/json`, errors included (`{"error":…}` or `{"errorCode":…,"error":…}`),
 * as the real service does. Undocumented parts are guesses and marked so: the error codes other than
 * TAX_CODE_NOT_FOUND / API_BUSY_RETRY, the string form of `cost`/`views`, `NACE:"info"` and `Balance:"latest"`.
 */

/** A seeded company. Keys are info-v1 field names; values are returned as strings (arrays/objects leaf-stringified). */
export interface ListaFirmeCompany {
  TaxCode: string;
  Name: string;
  RegNo?: string;
  Status?: string;
  LegalForm?: string;
  County?: string;
  City?: string;
  Address?: string;
  /** CAEN code, e.g. "6201". */
  NACE?: string;
  /** Used by `"NACE":"info"` (code + description). */
  NACEDescription?: string;
  /** e.g. `[{Year: 2023, Turnover: 1000, NetProfit: 10, Employees: 3}]` (used by `"Balance":"latest"`). */
  Balance?: Record<string, unknown>[];
  [field: string]: unknown;
}

export interface FakeListaFirmeOptions {
  /** Accepted API keys (default `['lf-test-key']`). */
  keys?: string[];
  /** Credits on the account (default 1000). */
  credits?: number;
  /** Per-field cost overrides (credits). */
  costs?: Record<string, number>;
  /** Cost of a field with no documented price (default 0.1). */
  defaultCost?: number;
  /** Max search results (default 20). */
  searchLimit?: number;
}

/** Documented per-field costs in credits (reference: airtable-listafirme.md). */
export const LISTAFIRME_FIELD_COSTS: Readonly<Record<string, number>> = {
  TaxCode: 0,
  RegNo: 0.05,
  Status: 0.05,
  LegalForm: 0.05,
  Name: 0.05,
  NACE: 0.11,
  Date: 0.05,
  TownCode: 0.05,
  County: 0.05,
  City: 0.05,
  Address: 0.49,
  ContactPerson: 0.33,
  Administrators: 0.65,
  Shareholders: 0.65,
};

export interface ListaFirmeSearchResult {
  Name: string;
  FiscalCode: string;
  County: string;
  URL: string;
}

const ok = (body: unknown): FakeResponse => ({ status: 200, body });
const fail = (error: string, errorCode?: string): FakeResponse => ok(errorCode ? { errorCode, error } : { error });

/** Work in hundredths of a credit so sums stay exact. */
const cents = (credits: number): number => Math.round(credits * 100);
const credits = (c: number): string => (c / 100).toFixed(2);

export class FakeListaFirme extends FakeHttpServer {
  /** The first accepted key. */
  readonly key: string;
  /** The fields asked for by every info-v1 call that reached the data (found or not), in order. */
  readonly fieldsRequested: string[][] = [];
  /** Every search-v1 `src`, in order. */
  readonly searches: string[] = [];

  private readonly keys: Set<string>;
  private readonly companies = new Map<string, ListaFirmeCompany>();
  private readonly costs: Record<string, number>;
  private readonly defaultCostCents: number;
  private readonly searchLimit: number;
  private creditsCents: number;
  private spentCents = 0;

  constructor(options: FakeListaFirmeOptions = {}) {
    super('listafirme');
    const keys = options.keys ?? ['lf-test-key'];
    this.keys = new Set(keys);
    this.key = keys[0];
    this.creditsCents = cents(options.credits ?? 1000);
    this.costs = { ...LISTAFIRME_FIELD_COSTS, ...options.costs };
    this.defaultCostCents = cents(options.defaultCost ?? 0.1);
    this.searchLimit = options.searchLimit ?? 20;

    for (const method of ['GET', 'POST']) {
      this.route(method, '/api/search-v1.asp', (req) => this.search(params(req)));
      this.route(method, '/api/info-v1.asp', (req) => this.info(params(req)));
    }
  }

  // ---------------------------------------------------------------- helpers for tests

  seedCompany(company: ListaFirmeCompany): this {
    this.companies.set(normalizeCui(company.TaxCode), { ...company, TaxCode: normalizeCui(company.TaxCode) });
    return this;
  }

  /** Credits spent by info-v1 calls so far. */
  get creditsSpent(): number {
    return this.spentCents / 100;
  }

  get creditsLeft(): number {
    return this.creditsCents / 100;
  }

  /** Price of one info-v1 call asking for these fields. */
  costOf(fields: string[]): number {
    return fields.reduce((sum, f) => sum + this.fieldCents(f), 0) / 100;
  }

  /** The next `times` API calls answer HTTP 200 `{"errorCode":"API_BUSY_RETRY",…}`. */
  busyNext(times = 1): this {
    return this.inject({
      match: (r) => r.path.startsWith('/api/'),
      respond: ok({ errorCode: 'API_BUSY_RETRY', error: 'API busy, please retry in a few seconds' }),
      times,
    });
  }

  /** The next `times` API calls answer a 200 `text/html` page (not JSON). */
  htmlNext(times = 1, html = '<html><body><h1>Service temporarily unavailable</h1></body></html>'): this {
    return this.inject({ match: (r) => r.path.startsWith('/api/'), respond: { status: 200, text: html }, times });
  }

  /** Requests, faults, latency and the logs. Companies and credits stay. */
  override reset(): void {
    super.reset();
    this.fieldsRequested.length = 0;
    this.searches.length = 0;
  }

  // ---------------------------------------------------------------- wire protocol

  protected override notFound(req: RecordedRequest): FakeResponse {
    return { status: 404, text: `<html><body><h1>404 - File or directory not found.</h1>${req.path}</body></html>` };
  }

  private search(p: URLSearchParams): FakeResponse {
    if (!this.keys.has(p.get('key') ?? '')) return fail('Invalid key');
    const src = (p.get('src') ?? '').trim();
    this.searches.push(src);
    if (!src) return ok({ Results: [] });

    const cui = /^(RO)?\s*\d{2,10}$/i.test(src) ? normalizeCui(src) : undefined;
    const regNo = normalizeRegNo(src);
    const name = fold(src);
    const hits = [...this.companies.values()].filter((c) =>
      cui !== undefined
        ? c.TaxCode === cui
        : (c.RegNo !== undefined && normalizeRegNo(c.RegNo) === regNo) || fold(c.Name).includes(name),
    );
    return ok({ Results: hits.slice(0, this.searchLimit).map((c) => searchResult(c)) });
  }

  private info(p: URLSearchParams): FakeResponse {
    if (!this.keys.has(p.get('key') ?? '')) return fail('Invalid key');
    let data: unknown;
    try {
      data = JSON.parse(p.get('data') ?? '');
    } catch {
      return fail('Invalid data parameter');
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('Invalid data parameter');
    const wanted = data as Record<string, unknown>;
    const fields = Object.keys(wanted);
    this.fieldsRequested.push(fields);

    const taxCode = typeof wanted.TaxCode === 'string' ? normalizeCui(wanted.TaxCode) : '';
    if (!taxCode) return fail('Missing TaxCode');
    const company = this.companies.get(taxCode);
    if (!company) return fail('Tax code not found', 'TAX_CODE_NOT_FOUND');

    const cost = fields.reduce((sum, f) => sum + this.fieldCents(f), 0);
    if (cost > this.creditsCents) return fail('Not enough credits', 'INSUFFICIENT_CREDITS');
    this.creditsCents -= cost;
    this.spentCents += cost;

    const out: Record<string, unknown> = {};
    for (const f of fields) out[f] = fieldValue(company, f, wanted[f]);
    out.cost = credits(cost);
    out.views = credits(this.creditsCents);
    return ok(out);
  }

  private fieldCents(field: string): number {
    const c = this.costs[field];
    return c === undefined ? this.defaultCostCents : cents(c);
  }
}

// ------------------------------------------------------------------ helpers

/** Query params merged with a form-encoded or multipart body (body wins). */
function params(req: RecordedRequest): URLSearchParams {
  const out = new URLSearchParams(req.query);
  const type = String(req.headers['content-type'] ?? '');
  let body: [string, string][] = [];
  if (type.startsWith('multipart/form-data')) body = parseMultipart(req.rawBody, type);
  else if (req.rawBody && !type.includes('json')) body = [...new URLSearchParams(req.rawBody)];
  for (const [k, v] of body) out.set(k, v);
  return out;
}

function parseMultipart(raw: string, contentType: string): [string, string][] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) return [];
  const out: [string, string][] = [];
  for (const part of raw.split(`--${boundary}`)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const name = /name="([^"]*)"/.exec(part.slice(0, sep))?.[1];
    if (name !== undefined) out.push([name, part.slice(sep + 4).replace(/\r\n$/, '')]);
  }
  return out;
}

function normalizeCui(v: string): string {
  return v.replace(/\s+/g, '').replace(/^RO/i, '');
}

function normalizeRegNo(v: string): string {
  return v.replace(/\s+/g, '').toUpperCase();
}

/** Lower case without diacritics (ș/ş, ț/ţ, ă, â, î). */
function fold(v: string): string {
  return v.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function slug(name: string): string {
  return fold(name)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function searchResult(c: ListaFirmeCompany): ListaFirmeSearchResult {
  return {
    Name: c.Name,
    FiscalCode: c.TaxCode,
    County: c.County ?? '',
    URL: `https://www.listafirme.ro/${slug(c.Name)}-${c.TaxCode}/`,
  };
}

function stringify(v: unknown): unknown {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(stringify);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stringify(x)]));
  return '';
}

function fieldValue(c: ListaFirmeCompany, field: string, asked: unknown): unknown {
  if (field === 'NACE' && asked === 'info' && c.NACE) {
    return c.NACEDescription ? `${c.NACE} - ${c.NACEDescription}` : c.NACE;
  }
  if (field === 'Balance' && asked === 'latest' && Array.isArray(c.Balance) && c.Balance.length) {
    const latest = [...c.Balance].sort((a, b) => Number(b.Year) - Number(a.Year))[0];
    return stringify([latest]);
  }
  return stringify(c[field]);
}
