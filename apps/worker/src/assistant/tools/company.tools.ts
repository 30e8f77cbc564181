import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { COMPANY_FIELDS, CompanyLookupService, DEFAULT_COMPANY_FIELDS } from '../../companies/company-lookup.service';
import type { AssistantTool } from './assistant-tool';

/** search_companies and get_company over the Romanian company register. */
@Injectable()
export class CompanyTools {
  constructor(private readonly companies: CompanyLookupService) {}

  all(): AssistantTool[] {
    return [this.searchCompanies(), this.getCompany()];
  }

  private searchCompanies(): AssistantTool {
    const args = z.object({ query: z.string().trim().min(2).max(100) });
    return {
      name: 'search_companies',
      paid: true,
      description:
        'Search the Romanian company register by company name, CUI (fiscal code) or registration number ' +
        '(e.g. J40/123/2020). Returns up to 5 matches with name and CUI. Free of charge.',
      parameters: {
        type: 'object',
        properties: { query: { type: 'string', description: 'Name, CUI or registration number' } },
        required: ['query'],
        additionalProperties: false,
      },
      args,
      run: async ({ query }: z.output<typeof args>) => ({ results: await this.companies.search(query) }),
    };
  }

  private getCompany(): AssistantTool {
    const args = z.object({
      cui: z.string().trim().min(2).max(14),
      fields: z.array(z.enum(COMPANY_FIELDS)).max(COMPANY_FIELDS.length).nullable(),
    });
    return {
      name: 'get_company',
      paid: true,
      description:
        'Details of one Romanian company by CUI. Each field costs credits: request only what the question ' +
        `needs; null gives the default set (${DEFAULT_COMPANY_FIELDS.join(', ')}).`,
      parameters: {
        type: 'object',
        properties: {
          cui: { type: 'string', description: 'The CUI (fiscal code), with or without the RO prefix' },
          fields: {
            type: ['array', 'null'],
            items: { type: 'string', enum: [...COMPANY_FIELDS] },
            description: 'Fields to return, or null for the default set',
          },
        },
        required: ['cui', 'fields'],
        additionalProperties: false,
      },
      args,
      run: async ({ cui, fields }: z.output<typeof args>, ctx) => {
        const { credits, ...details } = await this.companies.details(cui, fields ?? undefined);
        if (credits) ctx.recordCredits?.(credits);
        return details;
      },
    };
  }
}
