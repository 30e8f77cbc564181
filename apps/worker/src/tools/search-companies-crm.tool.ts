import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { REGISTER_COMPANY_PROPERTIES } from '../companies/crm-company-properties';
import { normalizeCui } from '../companies/cui';
import { HubSpotCrmCompanies } from '../companies/hubspot-crm-companies.service';
import { freeText } from '../contacts/contact-properties';
import { ToolRefusedError, type AssistantTool, type ToolContext } from './assistant-tool';
import { logContactCall, parseWith } from './contact-arguments';
import { CONTACT_TOOLS_OPTIONS, type ContactToolsOptions } from './contact-tool-settings';

const schema = z.object({
  name: z.string().max(100).nullable().describe('Words of the company name, or null'),
  cui: z.string().max(14).nullable().describe('The CUI (fiscal code), or null'),
});

/** search_companies_crm (staff): HubSpot companies by CUI (exact) or by name. */
@Injectable()
export class SearchCompaniesCrmTool implements AssistantTool<typeof schema> {
  readonly name = 'search_companies_crm';
  readonly description =
    'Find companies already in the CRM (HubSpot) by CUI (exact) or by name (give one, the other null). ' +
    'For the public company register use search_companies.';
  readonly schema = schema;

  constructor(
    private readonly companies: HubSpotCrmCompanies,
    @Inject(CONTACT_TOOLS_OPTIONS) private readonly options: ContactToolsOptions,
  ) {}

  async run(a: z.output<typeof schema>, ctx: ToolContext) {
    logContactCall(this.name, a, ctx);
    if (ctx.scope !== 'staff') throw new ToolRefusedError('search_companies_crm is for staff only');
    const cuiProperty = this.options.companyCuiProperty ?? 'cui';
    const rawCui = a.cui?.trim();
    const cui = rawCui ? normalizeCui(rawCui) : undefined;
    if (rawCui && !cui) throw new Error(`"${rawCui.slice(0, 20)}" is not a valid Romanian CUI (checksum failed)`);
    const name = !cui && a.name?.trim() ? parseWith(freeText(100), 'name', a.name) : undefined;
    if (!cui && !name) throw new Error('give the company name or its CUI');
    const found = await this.companies.search(cuiProperty, cui ? { cui } : { name });
    return {
      results: found.map((c) => ({
        id: c.id,
        name: c.properties.name ?? null,
        cui: c.properties[cuiProperty] ?? null,
        city: c.properties.city ?? null,
        county: c.properties.state ?? null,
        domain: c.properties.domain ?? null,
        registration_number: c.properties[REGISTER_COMPANY_PROPERTIES.regNo] ?? null,
        status: c.properties[REGISTER_COMPANY_PROPERTIES.status] ?? null,
      })),
    };
  }
}
