import { Injectable } from '@nestjs/common';
import { HubSpotConfig } from '../config/config-sections';
import { UpstreamError } from '../errors/upstream.error';
import { HubSpotApiClient } from '../hubspot/hubspot-api.client';
import { ContactNotFoundError, isSdkError, mapSdkError, parseExistingContactId } from './contact-errors';
import {
  LOCAL_FILTER_PAGE,
  buildFilterGroups,
  cleanCriteria,
  matchesCriteria,
  type ContactSearchCriteria,
} from './contact-search';

export {
  ContactConflictError,
  ContactNotFoundError,
  ContactValidationError,
  parseExistingContactId,
} from './contact-errors';
export { matchesCriteria, type ContactSearchCriteria } from './contact-search';

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
    private readonly hubspot: HubSpotConfig,
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
      timer = setTimeout(() => reject(new UpstreamError('hubspot', `${op} timed out`, true)), this.hubspot.timeoutMs);
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

function toView(id: string, properties: Record<string, string | null> | undefined): ContactView {
  const out = {} as Record<ContactViewProperty, string | null>;
  for (const name of CONTACT_VIEW_PROPERTIES) out[name] = properties?.[name] ?? null;
  return { id, properties: out };
}
