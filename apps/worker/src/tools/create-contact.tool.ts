import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ContactPropertyError, validateContactProperties } from '../contacts/contact-properties';
import { HubSpotContacts } from '../contacts/hubspot-contacts.service';
import type { AssistantTool, ToolContext } from './assistant-tool';
import { SAVED_NOTE, logContactCall, verifiedEmail } from './contact-arguments';

const text = (description: string) => z.string().max(300).nullable().describe(description);
const schema = z.object({
  email: text('E-mail address'),
  firstname: text('First name, or null'),
  lastname: text('Last name, or null'),
  phone: text('Phone number, or null'),
  company: text('Company name, or null'),
  jobtitle: text('Job title, or null'),
});
const CREATE_PROPERTIES = Object.keys(schema.shape);

/**
 * create_contact. Staff: any contact (409 → the existing one, unchanged). Visitor: once per chat,
 * bound to the chat as a claim, and the same answer whether the address was new or known.
 */
@Injectable()
export class CreateContactTool implements AssistantTool<typeof schema> {
  readonly name = 'create_contact';
  readonly description =
    'Create a CRM contact. Needs an e-mail (or, for staff, at least a name). If a contact with the ' +
    'e-mail already exists it is not changed. A visitor can save only their own details, once.';
  readonly schema = schema;
  /** Threads with a visitor create_contact in flight (`portalId:threadId`). */
  private readonly creating = new Set<string>();

  constructor(private readonly contacts: HubSpotContacts) {}

  async run(a: z.output<typeof schema>, ctx: ToolContext) {
    logContactCall(this.name, a, ctx);
    const props = validateContactProperties(a, CREATE_PROPERTIES);
    return ctx.scope === 'staff' ? this.createAsStaff(props) : this.createAsVisitor(props, ctx);
  }

  private async createAsStaff(props: Record<string, string>): Promise<unknown> {
    if (!props.email && !props.firstname && !props.lastname) {
      throw new ContactPropertyError('give an e-mail address or at least a first or last name');
    }
    const { contact, created } = await this.contacts.create(props);
    return created
      ? { id: contact.id, created: true, contact }
      : {
          id: contact.id,
          created: false,
          contact,
          note: 'a contact with this e-mail already exists; nothing was changed (use update_contact to change it)',
        };
  }

  private async createAsVisitor(props: Record<string, string>, ctx: ToolContext): Promise<unknown> {
    if (ctx.visitor.contactId) throw new Error('your details are already saved; use update_contact to add to them');
    if (!props.email) throw new ContactPropertyError('an e-mail address is needed to save your details');
    // Calls of one round run in parallel: a second create in the same thread must not race the first.
    const key = `${ctx.portalId}:${ctx.threadId}`;
    if (this.creating.has(key)) throw new Error('your details are already being saved');
    this.creating.add(key);
    try {
      // One create per thread: trying address after address would otherwise bind any of them.
      if (ctx.claimContactCreate && !(await ctx.claimContactCreate())) {
        throw new Error('your details are already saved');
      }
      const { contact } = await this.contacts.create(props);
      // New or existing (409), the contact is bound as a claim: it may be added to, never read back.
      // The answer is the same either way, so it never tells whether an address is a customer's.
      await ctx.bindVisitorContact(contact.id);
      // The rest of this turn acts on it too (bindVisitorContact records it for later turns).
      ctx.visitor.contactId = contact.id;
      const ownVerified = ctx.visitor.identity === 'verified' && props.email === verifiedEmail(ctx);
      return ownVerified ? { saved: true, id: contact.id } : { saved: true, note: SAVED_NOTE };
    } finally {
      this.creating.delete(key);
    }
  }
}
