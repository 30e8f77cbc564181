import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { CompanyLookupService } from '../companies/company-lookup.service';
import type { AssistantTool } from './assistant-tool';

const schema = z.object({ query: z.string().trim().min(2).max(100).describe('Name, CUI or registration number') });

/** search_companies: the Romanian company register by name, CUI or registration number (free). */
@Injectable()
export class SearchCompaniesTool implements AssistantTool<typeof schema> {
  readonly name = 'search_companies';
  readonly description =
    'Search the Romanian company register by company name, CUI (fiscal code) or registration number ' +
    '(e.g. J40/123/2020). Returns up to 5 matches with name and CUI. Free of charge.';
  readonly schema = schema;

  constructor(private readonly companies: CompanyLookupService) {}

  async run({ query }: z.output<typeof schema>) {
    return { results: await this.companies.search(query) };
  }
}
