import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { NOTE_MAX, validateContactProperties } from '../contacts/contact-properties';
import { ContactConflictError, ContactNotFoundError, HubSpotContacts } from '../contacts/hubspot-contacts.service';
import { ToolRefusedError, type AssistantTool, type ToolContext } from './assistant-tool';
import {
  NEED_EMAIL,
  NOT_YOURS,
  SAVED_NOTE,
  logContactCall,
  parseEmail,
  safeEmail,
  verifiedEmail,
} from './contact-arguments';
import { CONTACT_TOOLS_OPTIONS, ContactToolSettings, type ContactToolsOptions } from './contact-tool-settings';

function schemaFor(updatable: string[]) {
  const value = z.string().max(NOTE_MAX).nullable();
  return z.object({
    id: z.string().trim().max(40).nullable().describe('The contact id, or null'),
    email: z.string().max(254).nullable().describe('The contact’s current e-mail, or null'),
    // The model sees exactly the updatable properties; anything else it sends is refused by name below.
    properties: z
      .object(Object.fromEntries(updatable.map((p) => [p, value.optional().describe(`New ${p}, or null`)])))
      .catchall(value)
      .refine((p) => Object.keys(p).length <= 40, 'too many properties'),
  });
}
type Args = z.output<ReturnType<typeof schemaFor>>;

/**
 * update_contact. Staff: any contact by id or e-mail. Visitor: only their own; verified, with
 * what changed (from → to); claimed, empty fields only and the same answer whatever was stored.
 */
@Injectable()
export class UpdateContactTool implements AssistantTool<ReturnType<typeof schemaFor>> {
  readonly name = 'update_contact';
  readonly description: string;
  readonly schema: ReturnType<typeof schemaFor>;
  private readonly settings: ContactToolSettings;

  constructor(
    private readonly contacts: HubSpotContacts,
    @Inject(CONTACT_TOOLS_OPTIONS) options: ContactToolsOptions,
  ) {
    this.settings = new ContactToolSettings(options);
    this.schema = schemaFor(this.settings.updatable);
    this.description =
      'Change properties of a CRM contact identified by id or e-mail (give one, the other null). ' +
      'Set the properties to change; leave the others null. Returns what changed (from → to). ' +
      `A visitor can change only their own ${this.settings.visitorUpdatable.join(', ')}.`;
  }

  async run(a: Args, ctx: ToolContext) {
    logContactCall(this.name, a, ctx);
    const properties = a.properties as Record<string, string | null>;
    if (ctx.scope === 'staff') return this.updateAsStaff(a.id, a.email, properties);
    return this.updateAsVisitor(a.id, a.email, properties, ctx);
  }

  private async updateAsStaff(id: string | null, email: string | null, properties: Record<string, string | null>) {
    if (Boolean(id) === Boolean(email)) throw new Error('give either the contact id or its e-mail (not both)');
    if (id && !/^\d{1,20}$/.test(id)) throw new Error('id must be a numeric HubSpot contact id');
    const target = id ?? parseEmail(email!);
    const props = validateContactProperties(properties, this.settings.updatable);
    if (Object.keys(props).length === 0) throw new Error('nothing to update: set at least one property');
    try {
      return await this.contacts.update(target, props);
    } catch (err) {
      if (err instanceof ContactNotFoundError) throw new Error(`no contact with this ${id ? 'id' : 'e-mail'}`);
      if (err instanceof ContactConflictError) {
        throw new Error(`contact ${err.existingId ?? '(unknown id)'} already uses this e-mail address`);
      }
      throw err;
    }
  }

  private async updateAsVisitor(
    id: string | null,
    email: string | null,
    properties: Record<string, string | null>,
    ctx: ToolContext,
  ): Promise<unknown> {
    const own = ctx.visitor.contactId;
    // Identity first: whatever the properties, a foreign target is refused without any HubSpot call.
    if (id && id !== own) throw new ToolRefusedError(NOT_YOURS);
    if (email && (!verifiedEmail(ctx) || safeEmail(email) !== verifiedEmail(ctx)))
      throw new ToolRefusedError(NOT_YOURS);
    if (!own) throw new Error(NEED_EMAIL);
    const props = validateContactProperties(properties, this.settings.visitorUpdatable);
    if (Object.keys(props).length === 0) throw new Error('nothing to update: set at least one property');
    try {
      if (ctx.visitor.identity === 'verified') return await this.contacts.update(own, props);
      // A claim adds what is missing and learns nothing: not the old values, not which were empty.
      await this.contacts.update(own, props, { keepFilled: 'all' });
      return { saved: true, note: SAVED_NOTE };
    } catch (err) {
      if (err instanceof ContactNotFoundError) throw new Error('your contact record could not be found');
      throw err;
    }
  }
}
