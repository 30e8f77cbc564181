import { Injectable } from '@nestjs/common';
import { UpstreamError } from '../errors/upstream.error';
import { HubSpotApiClient, type HubSpotSdk } from '../hubspot/hubspot-api.client';
import { ContactConflictError, ContactNotFoundError, contactError } from './contact-errors';
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
 * CRM contacts through the typed SDK (`crm.contacts.basicApi` / `searchApi`), called only through
 * HubSpotApiClient.call (budget, metrics, timeout, errors). Errors: 400 → ContactValidationError
 * (readable), 404 → ContactNotFoundError, 409 on update → ContactConflictError, 429/5xx/network/
 * timeout → retryable UpstreamError, anything else → permanent UpstreamError. Messages never
 * contain e-mails or other PII.
 */
@Injectable()
export class HubSpotContacts {
  constructor(private readonly api: HubSpotApiClient) {}

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
    const res = await this.call('search contacts', (sdk) =>
      sdk.crm.contacts.searchApi.doSearch({
        filterGroups,
        properties: [...CONTACT_VIEW_PROPERTIES, 'mobilephone'],
        limit: page,
      }),
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
      const res = await this.call('create contact', (sdk) =>
        sdk.crm.contacts.basicApi.create({ properties, associations: [] }),
      );
      return { contact: toView(res.id, res.properties), created: true };
    } catch (err) {
      if (!(err instanceof ContactConflictError)) throw err;
      const existingId = err.existingId;
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

    const res = await this.call('update contact', (sdk) => sdk.crm.contacts.basicApi.update(id, { properties: diff }));
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
      const res = await this.call('get contact', (sdk) =>
        sdk.crm.contacts.basicApi.getById(
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

  /** One SDK call through the HubSpot client, with this call's metric label, budget and error meanings. */
  private call<T>(op: ContactOp, fn: (sdk: HubSpotSdk) => Promise<T>): Promise<T> {
    const { endpoint, ok, budget } = CALL_ENDPOINTS[op];
    return this.api.call(endpoint, fn, { what: op, okStatus: ok, budget, onFailure: contactError });
  }
}

type ContactOp = 'search contacts' | 'get contact' | 'create contact' | 'update contact';

/** Metric labels of the SDK calls, the status HubSpot answers on success (the SDK hides it), the budget. */
const CALL_ENDPOINTS: Record<ContactOp, { endpoint: string; ok: number; budget?: 'standard' | 'search' }> = {
  'search contacts': { endpoint: 'crm.contacts.search', ok: 200, budget: 'search' },
  'get contact': { endpoint: 'crm.contacts.get', ok: 200 },
  'create contact': { endpoint: 'crm.contacts.create', ok: 201 },
  'update contact': { endpoint: 'crm.contacts.update', ok: 200 },
};

function toView(id: string, properties: Record<string, string | null> | undefined): ContactView {
  const out = {} as Record<ContactViewProperty, string | null>;
  for (const name of CONTACT_VIEW_PROPERTIES) out[name] = properties?.[name] ?? null;
  return { id, properties: out };
}
