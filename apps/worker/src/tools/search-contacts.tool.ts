import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  HubSpotContacts,
  MAX_SEARCH_RESULTS,
  matchesCriteria,
  type ContactSearchCriteria,
  type ContactView,
} from '../contacts/hubspot-contacts.service';
import type { AssistantTool, ToolContext } from './assistant-tool';
import {
  ONLY_OWN_NOTE,
  VERIFY_TO_READ,
  logContactCall,
  searchCriteria,
  verifiedEmail,
  visitorView,
} from './contact-arguments';

const text = (max: number, description: string) => z.string().max(max).nullable().describe(description);
const schema = z.object({
  email: text(254, 'Exact e-mail address, or null'),
  name: text(100, 'First and/or last name, or null'),
  phone: text(40, 'Phone number, or null'),
  company: text(100, 'Company name, or null'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_SEARCH_RESULTS)
    .nullable()
    .describe(`Max results 1–${MAX_SEARCH_RESULTS}; null = ${MAX_SEARCH_RESULTS}`),
});

/**
 * search_contacts. Staff: any contact. Visitor: only their own, and only once verified; it never
 * looks at anyone else, so it can tell nobody whether another person is in the CRM.
 */
@Injectable()
export class SearchContactsTool implements AssistantTool<typeof schema> {
  readonly name = 'search_contacts';
  readonly description =
    'Find CRM contacts by e-mail, name, phone and/or company (all given criteria must match). ' +
    `Returns at most ${MAX_SEARCH_RESULTS} contacts with id and main properties. ` +
    'When talking to a visitor, only the visitor’s own contact can be returned.';
  readonly schema = schema;

  constructor(private readonly contacts: HubSpotContacts) {}

  async run(a: z.output<typeof schema>, ctx: ToolContext) {
    logContactCall(this.name, a, ctx);
    const criteria = searchCriteria(a);
    if (ctx.scope === 'staff') {
      const results = await this.contacts.search(criteria, a.limit ?? MAX_SEARCH_RESULTS);
      return results.length > 0
        ? { results }
        : {
            results,
            note: 'no match (contacts created in the last minute may not be found by name, phone or company yet)',
          };
    }
    if (ctx.visitor.identity !== 'verified') return { results: [], note: VERIFY_TO_READ };
    const own = await this.ownContactMatching(criteria, ctx);
    return own ? { results: [visitorView(own)] } : { results: [], note: ONLY_OWN_NOTE };
  }

  /** The visitor's own contact when it satisfies the criteria; never looks at anyone else. */
  private async ownContactMatching(
    criteria: ContactSearchCriteria,
    ctx: ToolContext,
  ): Promise<ContactView | undefined> {
    const verified = verifiedEmail(ctx);
    const ownEmailSearched = Boolean(criteria.email && verified && criteria.email === verified);
    // The visitor's verified e-mail identifies them: searching for it is asking for their own record.
    const rest: ContactSearchCriteria = ownEmailSearched ? { ...criteria, email: undefined } : criteria;
    let own: ContactView | undefined;
    if (ctx.visitor.contactId) own = await this.contacts.getById(ctx.visitor.contactId);
    else if (ownEmailSearched && verified) own = await this.contacts.findByEmail(verified);
    if (!own) return undefined;
    return matchesCriteria(own.properties, rest) ? own : undefined;
  }
}
