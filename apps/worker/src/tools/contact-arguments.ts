import { Logger } from '@nestjs/common';
import type { z } from 'zod';
import { ContactPropertyError, emailSchema } from '../contacts/contact-properties';
import type { ContactSearchCriteria, ContactView } from '../contacts/hubspot-contacts.service';
import type { ToolContext } from './assistant-tool';
import { redactToolArguments } from './tool-arguments.redaction';

/** Answers shared by the contact tools (the model relays them to the visitor). */
export const NOT_YOURS = 'you can only update your own details';
export const NEED_EMAIL = 'share your e-mail first so we can save this';
export const ONLY_OWN_NOTE = 'only your own details are available';
/** Said alike whatever is stored: a claim must not learn what the record holds or whether it exists. */
export const VERIFY_TO_READ =
  'stored details are shown only after the visitor proves their e-mail address: offer send_verification_code';
export const SAVED_NOTE = 'received; details already on file are kept (changing them needs e-mail verification)';

/** What a visitor sees of their own contact: no internal sales fields. */
const VISITOR_VIEW_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'company', 'jobtitle'] as const;

/** The address the visitor proved with a code in this thread, normalised; never HubSpot's claim. */
export function verifiedEmail(ctx: ToolContext): string | undefined {
  return ctx.visitor.identity === 'verified' && ctx.visitor.verifiedEmail
    ? safeEmail(ctx.visitor.verifiedEmail)
    : undefined;
}

export function safeEmail(raw: string): string | undefined {
  const parsed = emailSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export function parseEmail(raw: string): string {
  const email = safeEmail(raw);
  if (!email) throw new ContactPropertyError('email: is not a valid e-mail address');
  return email;
}

export function parseWith(schema: z.ZodType<string, string>, field: string, value: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ContactPropertyError(`${field}: ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

export function searchCriteria(a: {
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

export function visitorView(contact: ContactView): { id: string; properties: Record<string, string | null> } {
  return {
    id: contact.id,
    properties: Object.fromEntries(VISITOR_VIEW_PROPERTIES.map((p) => [p, contact.properties[p]])),
  };
}

const logger = new Logger('ContactTools');

/** Logs a contact tool call with its arguments redacted exactly as the audit trail stores them. */
export function logContactCall(tool: string, args: unknown, ctx: ToolContext): void {
  logger.log(
    { tool, scope: ctx.scope, threadId: ctx.threadId, args: redactToolArguments(tool, JSON.stringify(args)) },
    'contact tool call',
  );
}
