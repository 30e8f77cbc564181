import { Injectable } from '@nestjs/common';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/companies';
import { HubSpotApiClient, type HubSpotSdk } from '../hubspot/hubspot-api.client';
import { missingScopeError, type HubSpotFailure } from '../hubspot/hubspot-errors';
import { ContactValidationError, contactError } from '../contacts/contact-errors';
import { COMPANY_VIEW_PROPERTIES } from './crm-company-properties';

export interface CrmCompany {
  id: string;
  properties: Record<string, string | null>;
}

export interface CompanyUpsertResult {
  id: string;
  /** false: a company with this CUI already existed. */
  created: boolean;
  /** The properties written (empty ones, or allowed overwrites). */
  written: string[];
}

const READ = 'crm.objects.companies.read';
const WRITE = 'crm.objects.companies.write';
const MAX_RESULTS = 10;

/**
 * HubSpot CRM companies through the typed SDK, keyed on the unique CUI property: upsert by it
 * (batch upsert with `idProperty`: two workers saving one CUI make one company, no
 * search-then-create race), associate with a contact (associations v4, default type), search.
 */
@Injectable()
export class HubSpotCrmCompanies {
  constructor(private readonly api: HubSpotApiClient) {}

  /** The company holding this CUI, read exactly through the unique property (no search index lag). */
  async getByCui(cuiProperty: string, cui: string): Promise<CrmCompany | undefined> {
    try {
      const res = await this.call('crm.companies.get', READ, (sdk) =>
        sdk.crm.companies.basicApi.getById(
          cui,
          [...COMPANY_VIEW_PROPERTIES, cuiProperty],
          undefined,
          undefined,
          false,
          cuiProperty,
        ),
      );
      return { id: res.id, properties: res.properties ?? {} };
    } catch (err) {
      if (err instanceof NotFound) return undefined;
      throw err;
    }
  }

  /**
   * Creates or updates the company with this CUI. Of `properties`, those already filled are left
   * unless named in `overwrite` (someone may have typed them).
   */
  async upsertByCui(
    cuiProperty: string,
    cui: string,
    properties: Record<string, string>,
    overwrite: readonly string[],
  ): Promise<CompanyUpsertResult> {
    const current = await this.getByCui(cuiProperty, cui);
    const write: Record<string, string> = {};
    for (const [name, value] of Object.entries(properties)) {
      if (name === cuiProperty) continue;
      const have = current?.properties[name];
      if (have && have.trim() !== '' && !overwrite.includes(name)) continue;
      if (have !== value) write[name] = value;
    }
    if (current && Object.keys(write).length === 0) return { id: current.id, created: false, written: [] };
    const res = await this.call('crm.companies.batch_upsert', WRITE, (sdk) =>
      sdk.crm.companies.batchApi.upsert({ inputs: [{ id: cui, idProperty: cuiProperty, properties: write }] }),
    );
    const row = res.results[0];
    return { id: row.id, created: !current && row._new !== false, written: Object.keys(write) };
  }

  /** Links the company and the contact (the default association; idempotent). */
  async associateContact(companyId: string, contactId: string): Promise<void> {
    try {
      await this.call('crm.associations.create_default', WRITE, (sdk) =>
        sdk.crm.associations.v4.basicApi.createDefault('companies', companyId, 'contacts', contactId),
      );
    } catch (err) {
      // The company was just read or written: a 404 here means the contact id.
      if (err instanceof NotFound) throw new Error('the company was saved, but there is no contact with this id');
      throw err;
    }
  }

  /** Companies whose CUI equals `cui`, or whose name contains the words of `name`. */
  async search(cuiProperty: string, query: { cui?: string; name?: string }): Promise<CrmCompany[]> {
    if (query.cui) {
      const exact = await this.getByCui(cuiProperty, query.cui);
      return exact ? [exact] : [];
    }
    const res = await this.call(
      'crm.companies.search',
      READ,
      (sdk) =>
        sdk.crm.companies.searchApi.doSearch({
          filterGroups: [
            {
              filters: [{ propertyName: 'name', operator: FilterOperatorEnum.ContainsToken, value: `*${query.name}*` }],
            },
          ],
          properties: [...COMPANY_VIEW_PROPERTIES, cuiProperty],
          limit: MAX_RESULTS,
        }),
      'search',
    );
    return (res.results ?? []).map((r) => ({ id: r.id, properties: r.properties ?? {} }));
  }

  private call<T>(
    endpoint: string,
    scope: string,
    fn: (sdk: HubSpotSdk) => Promise<T>,
    budget: 'standard' | 'search' = 'standard',
  ): Promise<T> {
    return this.api.call(endpoint, fn, { budget, onFailure: (f) => companyError(f, scope) });
  }
}

class NotFound extends Error {}

/** 403 → the missing scope, 404 → not found, 400 → HubSpot's readable validation; the rest: UpstreamError. */
function companyError(failure: HubSpotFailure, scope: string): Error | undefined {
  if (failure.code === 404) return new NotFound('company not found');
  if (failure.code === 400) {
    const err = contactError(failure) as ContactValidationError;
    return new ContactValidationError(
      `${err.message} (company properties: run npm run hubspot:setup-company-property)`.slice(0, 400),
    );
  }
  return missingScopeError(failure, scope);
}
