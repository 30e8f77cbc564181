import { Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import { redactEmail, redactPhone, redactText } from '@app/logging';
import { normalizeCui } from '../../companies/cui';
import {
  DEFAULT_VISITOR_UPDATABLE_PROPERTIES,
  ContactPropertyError,
  DEFAULT_UPDATABLE_PROPERTIES,
  emailSchema,
  freeText,
  lifecycleRank,
  NOTE_MAX,
  noteText,
  normalizeContactProperty,
  validateContactProperties,
} from '../../contacts/contact-properties';
import {
  ContactConflictError,
  ContactNotFoundError,
  HubSpotContacts,
  MAX_SEARCH_RESULTS,
  type ContactSearchCriteria,
  type ContactView,
} from '../../contacts/hubspot-contacts.service';
import { ToolRefusedError, type AssistantTool, type ToolContext } from './assistant-tool';

export interface ContactToolsOptions {
  /** Properties `update_contact` may change (staff scope). */
  updatableProperties: string[];
  /**
   * Of those, what a visitor may change on their own contact. Default: contact details only —
   * not `email` (their identity; a change could also probe which e-mails exist) and not the
   * sales-owned `lifecyclestage` / `hs_lead_status` (qualify_lead sets those, forward only).
   */
  visitorUpdatableProperties?: string[];
  /** Written by qualify_lead, e.g. `{lifecyclestage: 'lead', hs_lead_status: 'OPEN'}`. */
  leadProperties: Record<string, string>;
  /** Where qualify_lead writes its summary (≤ 1000 chars); undefined = no note. */
  leadNoteProperty?: string;
}

export const CONTACT_TOOLS_OPTIONS = Symbol('CONTACT_TOOLS_OPTIONS');

export const DEFAULT_CONTACT_TOOLS_OPTIONS: ContactToolsOptions = {
  updatableProperties: [...DEFAULT_UPDATABLE_PROPERTIES],
  visitorUpdatableProperties: [...DEFAULT_VISITOR_UPDATABLE_PROPERTIES],
  leadProperties: { lifecyclestage: 'lead', hs_lead_status: 'OPEN' },
  // HubSpot's default "Message" contact property (a multi-line text forms also write).
  leadNoteProperty: 'message',
};

/** Properties create_contact accepts (its schema lists exactly these). */
const CREATE_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'company', 'jobtitle'] as const;
/** What a visitor sees of their own contact: no internal sales fields. */
const VISITOR_VIEW_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'company', 'jobtitle'] as const;
/** Lead statuses qualify_lead may overwrite (anything else was set by sales: leave it). */
const OVERWRITABLE_LEAD_STATUSES = new Set(['', 'NEW']);

const NOT_YOURS = 'you can only update your own details';
const NEED_EMAIL = 'share your e-mail first so we can save this';
const ONLY_OWN_NOTE = 'only your own details are available';
/** Said alike whatever is stored: a claim must not learn what the record holds or whether it exists. */
const VERIFY_TO_READ =
  'stored details are shown only after the visitor proves their e-mail address: offer send_verification_code';
const SAVED_NOTE = 'received; details already on file are kept (changing them needs e-mail verification)';

const nullableText = (max: number) => z.string().max(max).nullable();
const nullableString = (description: string) => ({ type: ['string', 'null'], description });

/**
 * search_contacts, create_contact, update_contact, qualify_lead over HubSpot CRM contacts.
 *
 * The scope in the ToolContext (set by our code, never by the model) is the security boundary:
 * in `visitor` scope every tool acts only on the thread's own contact and reveals nothing about
 * anyone else — not their data, not their id, not whether they exist. Arguments are treated as
 * attacker-controlled in both scopes: identities, property names and values are all checked here.
 */
@Injectable()
export class ContactTools {
  private readonly logger = new Logger(ContactTools.name);
  private readonly updatable: string[];
  private readonly visitorUpdatable: string[];
  private readonly leadProperties: Record<string, string>;
  private readonly leadNoteProperty?: string;
  /** Threads with a visitor create_contact in flight (`portalId:threadId`). */
  private readonly creating = new Set<string>();

  constructor(
    private readonly contacts: HubSpotContacts,
    @Inject(CONTACT_TOOLS_OPTIONS) options: ContactToolsOptions,
  ) {
    this.updatable = [...new Set(options.updatableProperties)];
    const visitor = options.visitorUpdatableProperties ?? DEFAULT_VISITOR_UPDATABLE_PROPERTIES;
    this.visitorUpdatable = this.updatable.filter((p) => visitor.includes(p) && p !== 'email');
    // Misconfiguration fails at boot, not in the middle of a chat.
    this.leadProperties = Object.fromEntries(
      Object.entries(options.leadProperties).map(([k, v]) => [k, normalizeContactProperty(k, v)]),
    );
    if (options.leadNoteProperty !== undefined && !/^[a-z][a-z0-9_]{0,99}$/.test(options.leadNoteProperty)) {
      throw new Error(`leadNoteProperty "${options.leadNoteProperty}" is not a HubSpot property name`);
    }
    this.leadNoteProperty = options.leadNoteProperty;
  }

  all(): AssistantTool[] {
    return [this.searchContacts(), this.createContact(), this.updateContact(), this.qualifyLead()];
  }

  // ------------------------------------------------------------------ search_contacts

  private searchContacts(): AssistantTool {
    const args = z.object({
      email: nullableText(254),
      name: nullableText(100),
      phone: nullableText(40),
      company: nullableText(100),
      limit: z.number().int().min(1).max(MAX_SEARCH_RESULTS).nullable(),
    });
    return {
      name: 'search_contacts',
      description:
        'Find CRM contacts by e-mail, name, phone and/or company (all given criteria must match). ' +
        `Returns at most ${MAX_SEARCH_RESULTS} contacts with id and main properties. ` +
        'When talking to a visitor, only the visitor’s own contact can be returned.',
      parameters: {
        type: 'object',
        properties: {
          email: nullableString('Exact e-mail address, or null'),
          name: nullableString('First and/or last name, or null'),
          phone: nullableString('Phone number, or null'),
          company: nullableString('Company name, or null'),
          limit: {
            type: ['integer', 'null'],
            description: `Max results 1–${MAX_SEARCH_RESULTS}; null = ${MAX_SEARCH_RESULTS}`,
          },
        },
        required: ['email', 'name', 'phone', 'company', 'limit'],
        additionalProperties: false,
      },
      args,
      run: this.logged('search_contacts', async (a: z.output<typeof args>, ctx) => {
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
      }),
    };
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
    return matchesOwn(own, rest) ? own : undefined;
  }

  // ------------------------------------------------------------------ create_contact

  private createContact(): AssistantTool {
    const args = z.object(
      Object.fromEntries(CREATE_PROPERTIES.map((p) => [p, nullableText(300)])) as Record<
        (typeof CREATE_PROPERTIES)[number],
        ReturnType<typeof nullableText>
      >,
    );
    return {
      name: 'create_contact',
      description:
        'Create a CRM contact. Needs an e-mail (or, for staff, at least a name). If a contact with the ' +
        'e-mail already exists it is not changed. A visitor can save only their own details, once.',
      parameters: {
        type: 'object',
        properties: {
          email: nullableString('E-mail address'),
          firstname: nullableString('First name, or null'),
          lastname: nullableString('Last name, or null'),
          phone: nullableString('Phone number, or null'),
          company: nullableString('Company name, or null'),
          jobtitle: nullableString('Job title, or null'),
        },
        required: [...CREATE_PROPERTIES],
        additionalProperties: false,
      },
      args,
      run: this.logged('create_contact', async (a: z.output<typeof args>, ctx) => {
        const props = validateContactProperties(a, CREATE_PROPERTIES);
        return ctx.scope === 'staff' ? this.createAsStaff(props) : this.createAsVisitor(props, ctx);
      }),
    };
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

  // ------------------------------------------------------------------ update_contact

  private updateContact(): AssistantTool {
    const args = z.object({
      id: z.string().trim().max(40).nullable(),
      email: nullableText(254),
      properties: z
        .record(z.string().max(100), z.string().max(NOTE_MAX).nullable())
        .refine((p) => Object.keys(p).length <= 40, 'too many properties'),
    });
    return {
      name: 'update_contact',
      description:
        'Change properties of a CRM contact identified by id or e-mail (give one, the other null). ' +
        'Set the properties to change; leave the others null. Returns what changed (from → to). ' +
        `A visitor can change only their own ${this.visitorUpdatable.join(', ')}.`,
      parameters: {
        type: 'object',
        properties: {
          id: nullableString('The contact id, or null'),
          email: nullableString('The contact’s current e-mail, or null'),
          properties: {
            type: 'object',
            properties: Object.fromEntries(this.updatable.map((p) => [p, nullableString(`New ${p}, or null`)])),
            required: [...this.updatable],
            additionalProperties: false,
          },
        },
        required: ['id', 'email', 'properties'],
        additionalProperties: false,
      },
      args,
      run: this.logged('update_contact', async (a: z.output<typeof args>, ctx) => {
        if (ctx.scope === 'staff') return this.updateAsStaff(a.id, a.email, a.properties);
        return this.updateAsVisitor(a.id, a.email, a.properties, ctx);
      }),
    };
  }

  private async updateAsStaff(
    id: string | null,
    email: string | null,
    properties: Record<string, string | null>,
  ): Promise<unknown> {
    if (Boolean(id) === Boolean(email)) throw new Error('give either the contact id or its e-mail (not both)');
    if (id && !/^\d{1,20}$/.test(id)) throw new Error('id must be a numeric HubSpot contact id');
    const target = id ?? parseEmail(email!);
    const props = validateContactProperties(properties, this.updatable);
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
    const props = validateContactProperties(properties, this.visitorUpdatable);
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

  // ------------------------------------------------------------------ qualify_lead

  private qualifyLead(): AssistantTool {
    const args = z.object({
      intent: nullableText(300),
      company_cui: nullableText(20),
      role: nullableText(300),
      budget: nullableText(300),
      timeline: nullableText(300),
      summary: nullableText(2000),
    });
    return {
      name: 'qualify_lead',
      description:
        'Save what the visitor told you about their need on their own contact and mark them as a lead. ' +
        'Needs the visitor’s contact (create_contact first if there is none). Give what you know; null the rest.',
      parameters: {
        type: 'object',
        properties: {
          intent: nullableString('What they want (product, service, question), or null'),
          company_cui: nullableString('Their company’s CUI, or null'),
          role: nullableString('Their role / job title, or null'),
          budget: nullableString('Budget as they stated it, or null'),
          timeline: nullableString('When they need it, or null'),
          summary: nullableString(`Short summary of the conversation (≤ ${NOTE_MAX} characters), or null`),
        },
        required: ['intent', 'company_cui', 'role', 'budget', 'timeline', 'summary'],
        additionalProperties: false,
      },
      args,
      run: this.logged('qualify_lead', async (a: z.output<typeof args>, ctx) => {
        if (ctx.scope !== 'visitor') throw new Error('qualify_lead is not available here');
        const own = ctx.visitor.contactId;
        if (!own) throw new Error(NEED_EMAIL);
        const note = this.leadNote(a);
        const current = await this.contacts.getById(own);
        if (!current) throw new Error('your contact record could not be found');

        const props: Record<string, string> = {};
        for (const [name, value] of Object.entries(this.leadProperties)) {
          if (name === 'lifecyclestage' && lifecycleRank(current.properties.lifecyclestage) >= lifecycleRank(value)) {
            continue; // never move a contact back in the funnel
          }
          if (name === 'hs_lead_status' && !OVERWRITABLE_LEAD_STATUSES.has(current.properties.hs_lead_status ?? '')) {
            continue; // sales already works this lead
          }
          props[name] = value;
        }
        const visitorSaid: Record<string, string> = {};
        if (a.role) visitorSaid.jobtitle = parseWith(freeText(), 'role', a.role);
        if (note && this.leadNoteProperty) visitorSaid[this.leadNoteProperty] = note;
        Object.assign(props, visitorSaid);
        const verified = ctx.visitor.identity === 'verified';
        if (Object.keys(props).length === 0) return verified ? { saved: true, id: own, updated: [] } : { saved: true };
        // Unverified: what the visitor said fills empty fields only (the funnel rules above still apply).
        const keepFilled = verified ? undefined : Object.keys(visitorSaid);
        const { changed } = await this.contacts.update(own, props, { keepFilled });
        return verified ? { saved: true, id: own, updated: Object.keys(changed) } : { saved: true };
      }),
    };
  }

  /** Multi-line qualification note, ≤ 1000 chars; undefined when nothing was given. */
  private leadNote(a: {
    intent: string | null;
    company_cui: string | null;
    role: string | null;
    budget: string | null;
    timeline: string | null;
    summary: string | null;
  }): string | undefined {
    const line = (label: string, value: string | null, field: string): string | undefined =>
      value && value.trim() ? `${label}: ${parseWith(freeText(300), field, value)}` : undefined;
    const cui = a.company_cui?.trim() ? parseWith(freeText(20), 'company_cui', a.company_cui) : undefined;
    const normalized = cui ? normalizeCui(cui) : undefined;
    const summary = a.summary?.trim() ? parseWith(noteText(2000), 'summary', a.summary) : undefined;
    const lines = [
      line('Intent', a.intent, 'intent'),
      cui ? `Company CUI: ${normalized ?? `${cui} (checksum failed)`}` : undefined,
      line('Role', a.role, 'role'),
      line('Budget', a.budget, 'budget'),
      line('Timeline', a.timeline, 'timeline'),
      summary ? `Summary: ${summary}` : undefined,
    ].filter((l): l is string => Boolean(l));
    if (lines.length === 0) return undefined;
    const text = [`Chat qualification ${new Date().toISOString().slice(0, 10)}`, ...lines].join('\n');
    return text.length > NOTE_MAX ? `${text.slice(0, NOTE_MAX - 1)}…` : text;
  }

  // ------------------------------------------------------------------ helpers

  /** Logs each call with redacted arguments (no e-mails or phone numbers in logs). */
  private logged<A>(
    tool: string,
    fn: (args: A, ctx: ToolContext) => Promise<unknown>,
  ): (args: A, ctx: ToolContext) => Promise<unknown> {
    return async (args, ctx) => {
      this.logger.log(
        { tool, scope: ctx.scope, threadId: ctx.threadId, args: redactForLog(args) },
        'contact tool call',
      );
      return fn(args, ctx);
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Identity and matching

/** The address the visitor proved with a code in this thread, normalised; never HubSpot's claim. */
function verifiedEmail(ctx: ToolContext): string | undefined {
  return ctx.visitor.identity === 'verified' && ctx.visitor.verifiedEmail
    ? safeEmail(ctx.visitor.verifiedEmail)
    : undefined;
}

function safeEmail(raw: string): string | undefined {
  const parsed = emailSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

function parseEmail(raw: string): string {
  const email = safeEmail(raw);
  if (!email) throw new ContactPropertyError('email: is not a valid e-mail address');
  return email;
}

function parseWith(schema: z.ZodType<string, string>, field: string, value: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ContactPropertyError(`${field}: ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

function searchCriteria(a: {
  email: string | null;
  name: string | null;
  phone: string | null;
  company: string | null;
}): ContactSearchCriteria {
  const t = (v: string | null) => (v && v.trim() ? v.trim() : undefined);
  const criteria: ContactSearchCriteria = {
    email: t(a.email) ? parseEmail(a.email!) : undefined,
    name: t(a.name),
    phone: t(a.phone),
    company: t(a.company),
  };
  if (!criteria.email && !criteria.name && !criteria.phone && !criteria.company) {
    throw new Error('give at least one of: email, name, phone, company');
  }
  return criteria;
}

function matchesOwn(own: ContactView, criteria: ContactSearchCriteria): boolean {
  const p = own.properties;
  if (criteria.email && (p.email ?? '') !== criteria.email) return false;
  const words = (s: string) =>
    s
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
  if (criteria.name) {
    const have = new Set(words(`${p.firstname ?? ''} ${p.lastname ?? ''}`));
    if (!words(criteria.name).every((w) => have.has(w))) return false;
  }
  if (criteria.phone) {
    const want = criteria.phone.replace(/\D/g, '').slice(-9);
    const have = (p.phone ?? '').replace(/\D/g, '');
    if (want.length < 6 || !have.endsWith(want)) return false;
  }
  if (criteria.company) {
    const have = words(p.company ?? '').join(' ');
    if (!` ${have} `.includes(` ${words(criteria.company).join(' ')} `)) return false;
  }
  return true;
}

function visitorView(contact: ContactView): { id: string; properties: Record<string, string | null> } {
  return {
    id: contact.id,
    properties: Object.fromEntries(VISITOR_VIEW_PROPERTIES.map((p) => [p, contact.properties[p]])),
  };
}

// ---------------------------------------------------------------------------------------------
// Log redaction (the rules live in @app/logging, shared by logs, audit and tools)

export { redactEmail, redactPhone, redactText };
const PHONE_KEYS = new Set(['phone', 'mobilephone']);
const NAME_KEYS = new Set(['firstname', 'lastname', 'name']);
/** Keys whose values are identifiers, not personal data. */
const PLAIN_KEYS = new Set(['id', 'company_cui', 'limit']);
const LOG_TEXT_MAX = 200;

/** A copy of tool arguments safe to log: e-mails and phones redacted, long texts cut. */
export function redactForLog(value: unknown, key?: string, depth = 0): unknown {
  if (typeof value === 'string') {
    if (key && PLAIN_KEYS.has(key)) return value.slice(0, 40);
    if (key && NAME_KEYS.has(key)) return '[name]';
    const redacted = key && PHONE_KEYS.has(key) ? redactPhone(value) : redactText(value);
    return redacted.length > LOG_TEXT_MAX ? `${redacted.slice(0, LOG_TEXT_MAX)}…` : redacted;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > 4) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => redactForLog(v, key, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .slice(0, 50)
      .map(([k, v]) => [k, redactForLog(v, k, depth + 1)]),
  );
}
