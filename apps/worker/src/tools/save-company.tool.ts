import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { companyPropertiesFromRegister } from '../companies/crm-company-properties';
import { normalizeCui } from '../companies/cui';
import { HubSpotCrmCompanies } from '../companies/hubspot-crm-companies.service';
import { CrmWritesStore } from '../state/crm-writes.store';
import { ToolRefusedError, type AssistantTool, type ToolContext } from './assistant-tool';
import { NEED_EMAIL, NOT_YOURS, logContactCall } from './contact-arguments';
import { CONTACT_TOOLS_OPTIONS, type ContactToolsOptions } from './contact-tool-settings';

const schema = z.object({
  cui: z.string().trim().min(2).max(14).describe('The CUI of a company looked up with get_company in this chat'),
  contact_id: z
    .string()
    .trim()
    .max(40)
    .nullable()
    .describe('Staff: the contact to link the company to, or null. Visitors: null (their own contact)'),
});
type Args = z.output<typeof schema>;

const LOOK_UP_FIRST =
  'look the company up with get_company in this conversation first; only its register data is saved';

/**
 * save_company: upserts the HubSpot company with this CUI from the register data looked up in this
 * conversation (never from the model's words), and links it to a contact. Visitor: their own
 * contact only; staff: any contact. Fields someone already filled stay unless the operator allowed
 * overwriting them (COMPANY_OVERWRITE_PROPERTIES; not for a merely claimed identity).
 */
@Injectable()
export class SaveCompanyTool implements AssistantTool<typeof schema> {
  readonly name = 'save_company';
  readonly description =
    'Save a Romanian company in the CRM from the register data you looked up with get_company in this ' +
    'conversation, and link it to the contact (the visitor’s own; staff may name any contact id). ' +
    'Fields already filled in the CRM are kept.';
  readonly schema = schema;

  constructor(
    private readonly companies: HubSpotCrmCompanies,
    @Inject(CONTACT_TOOLS_OPTIONS) private readonly options: ContactToolsOptions,
    private readonly writes: CrmWritesStore,
  ) {}

  async run(a: Args, ctx: ToolContext) {
    logContactCall(this.name, a, ctx);
    const contactId = this.targetContact(a.contact_id, ctx);
    const cui = normalizeCui(a.cui);
    if (!cui) throw new Error(`"${a.cui.slice(0, 20)}" is not a valid Romanian CUI (checksum failed)`);
    const ref = { portalId: ctx.portalId, threadId: ctx.threadId };
    const looked = await this.writes.company(ref, cui);
    if (!looked) throw new Error(LOOK_UP_FIRST);
    const cuiProperty = this.options.companyCuiProperty ?? 'cui';
    const properties = companyPropertiesFromRegister(cuiProperty, cui, looked.fields);
    // A claimed identity adds what is missing and replaces nothing.
    const claim = ctx.scope === 'visitor' && ctx.visitor.identity !== 'verified';
    const overwrite = claim ? [] : (this.options.companyOverwriteProperties ?? []);
    const saved = await this.companies.upsertByCui(cuiProperty, cui, properties, overwrite);
    if (contactId) await this.companies.associateContact(saved.id, contactId);
    await this.writes.rememberCompany(ref, cui, { ...looked, companyId: saved.id });
    if (ctx.scope === 'visitor') return { saved: true, company: properties.name ?? cui };
    return { saved: true, company_id: saved.id, created: saved.created, written: saved.written, contact_id: contactId };
  }

  /** Who the company is linked to: the visitor's own contact, or the contact staff named (checked). */
  private targetContact(given: string | null, ctx: ToolContext): string | undefined {
    const id = given?.trim() || undefined;
    if (ctx.scope === 'staff') {
      if (id && !/^\d{1,20}$/.test(id)) throw new Error('contact_id must be a numeric HubSpot contact id');
      return id;
    }
    const own = ctx.visitor.contactId;
    // Identity first: a foreign contact is refused before any HubSpot call.
    if (id && id !== own) throw new ToolRefusedError(NOT_YOURS);
    if (!own) throw new Error(NEED_EMAIL);
    return own;
  }
}
