import { Injectable } from '@nestjs/common';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { WorkerConfig } from '../config/worker-config';
import { UpstreamError, isRetryableStatus, retryAfterMs } from '../errors/upstream.error';
import { HubSpotApiClient } from '../hubspot/hubspot-api.client';

/** The properties every contact read returns: enough to identify and qualify, nothing more. */
export const CONTACT_VIEW_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'company',
  'jobtitle',
  'lifecyclestage',
  'hs_lead_status',
] as const;
export type ContactViewProperty = (typeof CONTACT_VIEW_PROPERTIES)[number];

export interface ContactView {
  id: string;
  properties: Record<ContactViewProperty, string | null>;
}

export interface ContactSearchCriteria {
  email?: string;
  name?: string;
  phone?: string;
  company?: string;
}

export interface ContactChange {
  from: string | null;
  to: string | null;
}

export interface ContactUpdateResult {
  id: string;
  /** Only the properties whose value actually changed (empty: nothing was written). */
  changed: Record<string, ContactChange>;
}

export interface ContactCreateResult {
  contact: ContactView;
  /** false: a contact with this e-mail already existed (409); it is returned unchanged. */
  created: boolean;
}

export const MAX_SEARCH_RESULTS = 10;
/** Page fetched when some criteria are checked locally after a narrower server-side search. */
const LOCAL_FILTER_PAGE = 50;
const MAX_NAME_TOKENS = 3;
/** Phones are compared on their last digits so "0721 234 567" matches "+40 721 234 567". */
const PHONE_SUFFIX_DIGITS = 9;

/** No contact with that id / e-mail. */
export class ContactNotFoundError extends Error {
  constructor() {
    super('contact not found');
    this.name = 'ContactNotFoundError';
  }
}

/** Another contact already has this e-mail. The id is kept off the message (not every caller may see it). */
export class ContactConflictError extends Error {
  constructor(readonly existingId: string | undefined) {
    super('another contact already uses this e-mail address');
    this.name = 'ContactConflictError';
  }
}

/** HubSpot rejected the values (400: unknown property, invalid e-mail or option…); safe to show the model. */
export class ContactValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContactValidationError';
  }
}

interface SdkError {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Operator = 'EQ' | 'CONTAINS_TOKEN';
interface SearchFilter {
  propertyName: string;
  operator: FilterOperatorEnum;
  value: string;
}
const OPERATORS: Record<Operator, FilterOperatorEnum> = {
  EQ: FilterOperatorEnum.Eq,
  CONTAINS_TOKEN: FilterOperatorEnum.ContainsToken,
};

/**
 * CRM contacts through the typed SDK (`crm.contacts.basicApi` / `searchApi`) of the process's one
 * HubSpot client. Errors: 400 → ContactValidationError (readable), 404 → ContactNotFoundError,
 * 409 on update → ContactConflictError, 429/5xx/network/timeout → retryable UpstreamError,
 * anything else → permanent UpstreamError. Messages never contain e-mails or other PII.
 */
@Injectable()
export class HubSpotContacts {
  constructor(
    private readonly api: HubSpotApiClient,
    private readonly config: WorkerConfig,
  ) {}

  /**
   * Contacts matching every given criterion, at most `limit` (≤ 10). The most selective criterion
   * goes to HubSpot (e-mail, else phone, else name + company); the rest is checked locally, which
   * keeps within HubSpot's filter limits (5 groups, 6 filters each) and gives AND semantics.
   * Newly created contacts can be missing from search for a while (index lag): an e-mail search
   * that finds nothing falls back to the exact, lag-free lookup by e-mail.
   */
  async search(criteria: ContactSearchCriteria, limit = MAX_SEARCH_RESULTS): Promise<ContactView[]> {
    const c = cleanCriteria(criteria);
    if (!c.email && !c.name && !c.phone && !c.company) {
      throw new Error('give at least one of: email, name, phone, company');
    }
    const max = Math.max(1, Math.min(MAX_SEARCH_RESULTS, Math.floor(limit)));
    const { filterGroups, exact } = buildFilterGroups(c);
    const page = exact ? max : LOCAL_FILTER_PAGE;
    const res = await this.call(
      'search contacts',
      () =>
        this.api.sdk.crm.contacts.searchApi.doSearch({
          filterGroups,
          properties: [...CONTACT_VIEW_PROPERTIES, 'mobilephone'],
          limit: page,
        }),
      { budget: 'search' },
    );
    let found = (res.results ?? [])
      .filter((r) => exact || matchesCriteria(r.properties ?? {}, c))
      .map((r) => toView(r.id, r.properties));
    if (found.length === 0 && c.email) {
      const byEmail = await this.read(c.email, ['mobilephone'], 'email');
      if (byEmail && matchesCriteria(byEmail.raw, c)) found = [byEmail.view];
    }
    return found.slice(0, max);
  }

  /** One contact by its numeric id; undefined when it does not exist. */
  async getById(id: string): Promise<ContactView | undefined> {
    const found = await this.read(id, [...CONTACT_VIEW_PROPERTIES]);
    return found?.view;
  }

  /**
   * One contact by e-mail. Uses `GET …/contacts/{email}?idProperty=email` only, not search: the
   * unique-property lookup is exact, read-after-write consistent (no search-index lag, so a contact
   * created a second ago is found) and spends the ordinary rate budget instead of the scarce
   * 5-per-second search budget. Searching first would add a call and could only miss, never find more.
   */
  async findByEmail(email: string): Promise<ContactView | undefined> {
    const found = await this.read(email, [], 'email');
    return found?.view;
  }

  /**
   * Creates a contact. Idempotent per e-mail: when HubSpot answers 409 (the e-mail exists, even if
   * search does not show it yet, or our own earlier attempt succeeded before a retry) the existing
   * contact is returned with `created: false` and left unchanged.
   */
  async create(properties: Record<string, string>): Promise<ContactCreateResult> {
    try {
      const res = await this.call(
        'create contact',
        () => this.api.sdk.crm.contacts.basicApi.create({ properties, associations: [] }),
        { conflict: 'rethrow' },
      );
      return { contact: toView(res.id, res.properties), created: true };
    } catch (err) {
      if (!isSdkError(err) || err.code !== 409) throw err;
      const existingId = parseExistingContactId(err.body);
      const existing = existingId
        ? await this.getById(existingId)
        : properties.email
          ? await this.findByEmail(properties.email)
          : undefined;
      if (!existing)
        throw new UpstreamError('hubspot', 'create contact → 409 without a readable existing id', true, 409);
      return { contact: existing, created: false };
    }
  }

  /**
   * Updates a contact by numeric id or e-mail and reports what changed. Reads the current values
   * first (the before), skips the write when nothing differs, PATCHes by the numeric id.
   * `keepFilled`: of these properties ('all' = every one), those that already have a value are left.
   */
  async update(
    idOrEmail: string,
    properties: Record<string, string>,
    opts: { keepFilled?: 'all' | string[] } = {},
  ): Promise<ContactUpdateResult> {
    const names = Object.keys(properties);
    const current = await this.read(idOrEmail, names, idOrEmail.includes('@') ? 'email' : undefined);
    if (!current) throw new ContactNotFoundError();
    const id = current.view.id;
    const diff: Record<string, string> = {};
    for (const name of names) {
      const have = current.raw[name] ?? null;
      // An unverified visitor may add what is missing, never replace what someone stored.
      const keep = opts.keepFilled === 'all' || opts.keepFilled?.includes(name);
      if (keep && have !== null && have.trim() !== '') continue;
      if (have !== properties[name]) diff[name] = properties[name];
    }
    if (Object.keys(diff).length === 0) return { id, changed: {} };

    const res = await this.call('update contact', () =>
      this.api.sdk.crm.contacts.basicApi.update(id, { properties: diff }),
    );
    const changed: Record<string, ContactChange> = {};
    for (const [name, value] of Object.entries(diff)) {
      changed[name] = { from: current.raw[name] ?? null, to: res.properties?.[name] ?? value };
    }
    return { id, changed };
  }

  private async read(
    idOrEmail: string,
    properties: string[],
    idProperty?: 'email',
  ): Promise<{ view: ContactView; raw: Record<string, string | null> } | undefined> {
    const key = idProperty === 'email' ? idOrEmail.trim().toLowerCase() : idOrEmail.trim();
    if (idProperty === 'email' ? !key.includes('@') : !/^\d{1,20}$/.test(key)) return undefined;
    try {
      const res = await this.call('get contact', () =>
        this.api.sdk.crm.contacts.basicApi.getById(
          key,
          [...new Set([...CONTACT_VIEW_PROPERTIES, ...properties])],
          undefined,
          undefined,
          false,
          idProperty,
        ),
      );
      return { view: toView(res.id, res.properties), raw: res.properties ?? {} };
    } catch (err) {
      if (err instanceof ContactNotFoundError) return undefined;
      throw err;
    }
  }

  /** Runs one SDK call with the configured timeout and maps its failure. */
  private async call<T>(
    op: string,
    fn: () => Promise<T>,
    opts: { conflict?: 'rethrow'; budget?: 'standard' | 'search' } = {},
  ): Promise<T> {
    await this.api.takeBudget(opts.budget ?? 'standard');
    const end = this.api.startCall(CALL_ENDPOINTS[op]?.endpoint ?? 'crm.contacts.other');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new UpstreamError('hubspot', `${op} timed out`, true)),
        this.config.hubspot.timeoutMs,
      );
    });
    try {
      const result = await Promise.race([fn(), timeout]);
      end(CALL_ENDPOINTS[op]?.ok ?? 200);
      return result;
    } catch (err) {
      // Only our timer rejects with an UpstreamError; the SDK throws its own exceptions.
      end(err instanceof UpstreamError ? 'timeout' : isSdkError(err) ? err.code : 'network');
      if (err instanceof UpstreamError) throw err;
      if (!isSdkError(err)) {
        // Network failure, or a non-JSON answer the SDK could not parse.
        const detail = String((err as Error)?.message ?? err)
          .replace(/[^\s@/]+@[^\s@/]+/g, '***')
          .slice(0, 200);
        throw new UpstreamError('hubspot', `${op} failed: ${detail}`, true);
      }
      if (err.code === 409 && opts.conflict) throw err;
      throw mapSdkError(op, err);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Metric labels of the SDK calls, with the status HubSpot answers on success (the SDK hides it). */
const CALL_ENDPOINTS: Record<string, { endpoint: string; ok: number }> = {
  'search contacts': { endpoint: 'crm.contacts.search', ok: 200 },
  'get contact': { endpoint: 'crm.contacts.get', ok: 200 },
  'create contact': { endpoint: 'crm.contacts.create', ok: 201 },
  'update contact': { endpoint: 'crm.contacts.update', ok: 200 },
};

// ---------------------------------------------------------------------------------------------
// Errors

function isSdkError(err: unknown): err is SdkError {
  // Each codegen module has its own ApiException class: duck-type, never instanceof.
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number';
}

/** The id in `Contact already exists. Existing ID: 123` (409 body), if any. */
export function parseExistingContactId(body: unknown): string | undefined {
  const raw = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
  const message = typeof raw === 'string' ? raw : '';
  return /Existing ID:\s*(\d+)/.exec(message)?.[1];
}

function mapSdkError(op: string, err: SdkError): Error {
  const body = (typeof err.body === 'object' && err.body !== null ? err.body : {}) as {
    message?: unknown;
    category?: unknown;
    policyName?: unknown;
    errors?: unknown;
  };
  const message = typeof body.message === 'string' ? body.message : '';
  if (err.code === 400) return new ContactValidationError(readableValidation(message, body.errors));
  if (err.code === 404) return new ContactNotFoundError();
  if (err.code === 409) return new ContactConflictError(parseExistingContactId(body));
  // The daily cap will not lift within a retry window; the 10-second one will.
  const daily = body.policyName === 'DAILY' || /daily limit/i.test(message);
  const retryable = isRetryableStatus(err.code) && !daily;
  const wait = retryAfterMs(err.headers) ?? (err.code === 429 ? 10_000 : undefined);
  const category = typeof body.category === 'string' ? `${body.category}: ` : '';
  // HubSpot's messages for these statuses carry no PII (auth, limits, server errors); bound anyway.
  return new UpstreamError(
    'hubspot',
    `${op} → ${err.code} ${category}${message.slice(0, 200)}`.trim(),
    retryable,
    err.code,
    wait,
    typeof body.policyName === 'string' ? body.policyName : daily ? 'DAILY' : undefined,
  );
}

/**
 * "Property values were not valid: [{…"message":"Property \"x\" does not exist","error":"PROPERTY_DOESNT_EXIST"…}]"
 * → `HubSpot rejected the values: Property "x" does not exist (PROPERTY_DOESNT_EXIST)`.
 */
function readableValidation(message: string, errors: unknown): string {
  const details: string[] = [];
  const collect = (items: unknown): void => {
    if (!Array.isArray(items)) return;
    for (const item of items as Array<{ message?: unknown; error?: unknown; code?: unknown }>) {
      if (typeof item?.message !== 'string') continue;
      const code = typeof item.error === 'string' ? item.error : typeof item.code === 'string' ? item.code : '';
      details.push(code ? `${item.message} (${code})` : item.message);
    }
  };
  const json = /^[^[]*?(\[.*\])\s*$/s.exec(message)?.[1];
  if (json) {
    try {
      collect(JSON.parse(json));
    } catch {
      // not JSON after all: fall back to the message
    }
  }
  if (details.length === 0) collect(errors);
  const text = details.length > 0 ? details.join('; ') : message || 'invalid request';
  return `HubSpot rejected the values: ${text.slice(0, 300)}`;
}

// ---------------------------------------------------------------------------------------------
// Search

function cleanCriteria(c: ContactSearchCriteria): ContactSearchCriteria {
  const t = (v: string | undefined): string | undefined => {
    const s = v?.trim().replace(/\s+/g, ' ');
    return s ? s.slice(0, 254) : undefined;
  };
  return { email: t(c.email)?.toLowerCase(), name: t(c.name), phone: t(c.phone), company: t(c.company) };
}

function words(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function digits(s: string | null | undefined): string {
  return (s ?? '').replace(/\D/g, '');
}

/**
 * Filter groups (OR across groups, AND within) for the most selective criterion; `exact` = the
 * server applies every criterion, so no local filtering (and no larger page) is needed.
 */
function buildFilterGroups(c: ContactSearchCriteria): { filterGroups: { filters: SearchFilter[] }[]; exact: boolean } {
  const f = (propertyName: string, operator: Operator, value: string): SearchFilter => ({
    propertyName,
    operator: OPERATORS[operator],
    value,
  });
  const others = (...keys: (keyof ContactSearchCriteria)[]) => keys.some((k) => c[k]);

  if (c.email) {
    return { filterGroups: [{ filters: [f('email', 'EQ', c.email)] }], exact: !others('name', 'phone', 'company') };
  }
  if (c.phone) {
    const suffix = digits(c.phone).slice(-PHONE_SUFFIX_DIGITS);
    const groups = ['phone', 'mobilephone'].flatMap((p) => [
      { filters: [f(p, 'EQ', c.phone!)] },
      { filters: [f(p, 'CONTAINS_TOKEN', `*${suffix}`)] },
    ]);
    return { filterGroups: groups, exact: false };
  }
  const company = c.company ? [f('company', 'CONTAINS_TOKEN', c.company)] : [];
  if (!c.name) return { filterGroups: [{ filters: company }], exact: true };

  const tokens = words(c.name).slice(0, MAX_NAME_TOKENS);
  if (tokens.length === 0) return { filterGroups: [{ filters: company }], exact: false };
  if (tokens.length === 1) {
    return {
      filterGroups: [
        { filters: [f('firstname', 'CONTAINS_TOKEN', tokens[0]), ...company] },
        { filters: [f('lastname', 'CONTAINS_TOKEN', tokens[0]), ...company] },
      ],
      exact: false,
    };
  }
  // "Ana Maria Popescu": given names first, or the surname first (common in Romanian usage).
  const last = tokens[tokens.length - 1];
  const first = tokens[0];
  return {
    filterGroups: [
      {
        filters: [
          ...tokens.slice(0, -1).map((t) => f('firstname', 'CONTAINS_TOKEN', t)),
          f('lastname', 'CONTAINS_TOKEN', last),
          ...company,
        ],
      },
      {
        filters: [
          f('lastname', 'CONTAINS_TOKEN', first),
          ...tokens.slice(1).map((t) => f('firstname', 'CONTAINS_TOKEN', t)),
          ...company,
        ],
      },
    ],
    exact: false,
  };
}

/**
 * Whether a contact's properties satisfy every given criterion: e-mail equal (case-insensitive),
 * every name word among the words of first + last name, the phone's last digits equal to those of
 * `phone` or `mobilephone`, the company's words contained consecutively.
 */
export function matchesCriteria(
  properties: Record<string, string | null | undefined>,
  criteria: ContactSearchCriteria,
): boolean {
  const c = cleanCriteria(criteria);
  if (c.email && (properties.email ?? '').trim().toLowerCase() !== c.email) return false;
  if (c.name) {
    const have = new Set(words(`${properties.firstname ?? ''} ${properties.lastname ?? ''}`));
    const want = words(c.name);
    if (want.length === 0 || !want.every((w) => have.has(w))) return false;
  }
  if (c.phone) {
    const want = digits(c.phone).slice(-PHONE_SUFFIX_DIGITS);
    const ok = [properties.phone, properties.mobilephone].some((p) => {
      const have = digits(p);
      return want.length >= 6 && have.length >= want.length && have.endsWith(want);
    });
    if (!ok) return false;
  }
  if (c.company) {
    const want = words(c.company);
    const have = words(properties.company ?? '');
    const found =
      want.length > 0 && have.some((_, i) => i + want.length <= have.length && want.every((w, j) => have[i + j] === w));
    if (!found) return false;
  }
  return true;
}

function toView(id: string, properties: Record<string, string | null> | undefined): ContactView {
  const out = {} as Record<ContactViewProperty, string | null>;
  for (const name of CONTACT_VIEW_PROPERTIES) out[name] = properties?.[name] ?? null;
  return { id, properties: out };
}
