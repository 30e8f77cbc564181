import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { COMPANY_FIELDS, CompanyLookupService, DEFAULT_COMPANY_FIELDS } from '../companies/company-lookup.service';
import { normalizeCui } from '../companies/cui';
import { CrmWritesStore } from '../state/crm-writes.store';
import type { AssistantTool, ToolContext } from './assistant-tool';

const schema = z.object({
  cui: z.string().trim().min(2).max(14).describe('The CUI (fiscal code), with or without the RO prefix'),
  fields: z
    .array(z.enum(COMPANY_FIELDS))
    .max(COMPANY_FIELDS.length)
    .nullable()
    .describe('Fields to return, or null for the default set'),
});

/** get_company: one company's details by CUI; every field costs ListaFirme credits. */
@Injectable()
export class GetCompanyTool implements AssistantTool<typeof schema> {
  readonly name = 'get_company';
  readonly paid = true;
  readonly description =
    'Details of one Romanian company by CUI. Each field costs credits: request only what the question ' +
    `needs; null gives the default set (${DEFAULT_COMPANY_FIELDS.join(', ')}).`;
  readonly schema = schema;

  constructor(
    private readonly companies: CompanyLookupService,
    private readonly writes: CrmWritesStore,
  ) {}

  async run({ cui, fields }: z.output<typeof schema>, ctx: ToolContext) {
    const { credits, ...details } = await this.companies.details(cui, fields ?? undefined);
    if (credits) ctx.recordCredits?.(credits);
    const key = normalizeCui(cui);
    if (details.found && details.fields && key) {
      // What save_company may write for this thread: register data, never the model's words.
      const ref = { portalId: ctx.portalId, threadId: ctx.threadId };
      const before = await this.writes.company(ref, key);
      await this.writes.rememberCompany(ref, key, { ...before, fields: { ...before?.fields, ...details.fields } });
    }
    return details;
  }
}
