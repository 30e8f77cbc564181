import { z } from 'zod';

/**
 * Validation and normalisation of HubSpot contact property values before they are written.
 * Values come from the model (untrusted): every value is checked here, whatever the JSON schema
 * promised, and a failure is a short message the model can relay to the person.
 */

/** HubSpot's internal values for `lifecyclestage`, in funnel order. */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** HubSpot's internal values for `hs_lead_status`. */
export const LEAD_STATUSES = [
  'NEW',
  'OPEN',
  'IN_PROGRESS',
  'OPEN_DEAL',
  'UNQUALIFIED',
  'ATTEMPTED_TO_CONTACT',
  'CONNECTED',
  'BAD_TIMING',
] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/** Properties a contact update may touch unless configured otherwise (never `email`). */
export const DEFAULT_UPDATABLE_PROPERTIES: readonly string[] = [
  'firstname',
  'lastname',
  'phone',
  'mobilephone',
  'company',
  'jobtitle',
  'website',
  'city',
  'country',
  'lifecyclestage',
  'hs_lead_status',
];

/** What a visitor may change on their own contact: details, not identity or sales fields. */
export const DEFAULT_VISITOR_UPDATABLE_PROPERTIES: readonly string[] = DEFAULT_UPDATABLE_PROPERTIES.filter(
  (p) => !['email', 'lifecyclestage', 'hs_lead_status'].includes(p),
);

export const FREE_TEXT_MAX = 255;
export const NOTE_MAX = 1000;
const EMAIL_MAX = 254;

// Letters, digits and the usual specials in the local part (no quoted strings, no IP literals);
// dot-separated labels in the domain with an alphabetic TLD.
const EMAIL_RE =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
// Control characters other than tab (single-line fields) / tab and newlines (notes).
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000a-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const NOTE_CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A trimmed single-line text of 1..max characters. */
export function freeText(max = FREE_TEXT_MAX): z.ZodType<string, string> {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !CONTROL_RE.test(v), 'must be a single line of text');
}

/** A trimmed multi-line text of 1..max characters (notes, summaries). */
export function noteText(max = NOTE_MAX): z.ZodType<string, string> {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !NOTE_CONTROL_RE.test(v), 'must not contain control characters');
}

/** An e-mail address, trimmed and lowercased (HubSpot stores it lowercased). */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX, 'is too long for an e-mail address')
  .refine((v) => EMAIL_RE.test(v) && v.split('@')[0].length <= 64, 'is not a valid e-mail address');

/** E.164-ish: digits, spaces, `-`, `.`, parentheses, one leading `+`; 6–20 digits. Whitespace collapsed. */
export const phoneSchema = z
  .string()
  .trim()
  .transform((v) => v.replace(/\s+/g, ' '))
  .refine((v) => /^\+?[\d\s().-]+$/.test(v), 'may only contain digits, spaces, +, -, . and parentheses')
  .refine((v) => {
    const digits = v.replace(/\D/g, '').length;
    return digits >= 6 && digits <= 20;
  }, 'must contain 6 to 20 digits');

/** Accepts the internal value or its label ("Marketing Qualified Lead" → `marketingqualifiedlead`). */
export const lifecycleStageSchema = z
  .string()
  .trim()
  .transform((v) => v.toLowerCase().replace(/[\s_-]+/g, ''))
  .pipe(z.enum(LIFECYCLE_STAGES, { error: `must be one of ${LIFECYCLE_STAGES.join(', ')}` }));

/** Accepts the internal value or its label ("In progress" → `IN_PROGRESS`). */
export const leadStatusSchema = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase().replace(/[\s-]+/g, '_'))
  .pipe(z.enum(LEAD_STATUSES, { error: `must be one of ${LEAD_STATUSES.join(', ')}` }));

// A scheme is letters before a colon not followed by a port number (`acme.ro:8080` has none).
const SCHEME_RE = /^[a-z][a-z0-9+.-]*:(?!\d)/i;

/**
 * The URL a person will click in HubSpot, or undefined: http(s) only (never `javascript:`, `data:`…),
 * a dotted host name with an alphabetic TLD, no credentials. A bare domain is read as https.
 */
export function parseWebAddress(raw: string): URL | undefined {
  const v = raw.trim();
  if (/\s/.test(v)) return undefined;
  let url: URL;
  try {
    url = new URL(SCHEME_RE.test(v) ? v : `https://${v}`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  if (!/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(url.hostname)) {
    return undefined;
  }
  return url;
}

/** A site address or bare domain (kept as written), ≤ 255 chars, that parses as an http(s) URL. */
export const websiteSchema = freeText().refine((v) => parseWebAddress(v) !== undefined, 'is not a web address');

/** A company's domain as HubSpot keys it: the bare host name, lowercased (`https://www.acme.ro/x` → `www.acme.ro`). */
export const domainSchema = freeText()
  .refine((v) => parseWebAddress(v) !== undefined, 'is not a domain name')
  .transform((v) => parseWebAddress(v)!.hostname);

const PROPERTY_SCHEMAS: Record<string, z.ZodType<string, string>> = {
  email: emailSchema,
  phone: phoneSchema,
  mobilephone: phoneSchema,
  lifecyclestage: lifecycleStageSchema,
  hs_lead_status: leadStatusSchema,
  website: websiteSchema,
  domain: domainSchema,
};

/** HubSpot internal property names: lowercase letters, digits, underscores. */
const PROPERTY_NAME_RE = /^[a-z][a-z0-9_]{0,99}$/;

/** A value the model or a person supplied does not fit; the message is safe to show them. */
export class ContactPropertyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContactPropertyError';
  }
}

/** The normalised value of one property, or throws ContactPropertyError. Unknown names are free text. */
export function normalizeContactProperty(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new ContactPropertyError(`${name}: must be a string`);
  const schema = PROPERTY_SCHEMAS[name] ?? freeText();
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ContactPropertyError(`${name}: ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

/**
 * Checks every name against `allowed` and every value against its rule; returns the normalised
 * properties. `null`/`undefined` values mean "not given" and are dropped. All problems are reported
 * together so the model can fix them in one go.
 */
export function validateContactProperties(
  input: Record<string, unknown>,
  allowed: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    if (!PROPERTY_NAME_RE.test(name) || !allowed.includes(name)) {
      problems.push(`${name.slice(0, 40)}: cannot be set here (allowed: ${allowed.join(', ')})`);
      continue;
    }
    try {
      out[name] = normalizeContactProperty(name, value);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) throw new ContactPropertyError(problems.join('; '));
  return out;
}

/** Position in the funnel (`other` ranks lowest: it is not a stage to move towards). -1 when unset/unknown. */
export function lifecycleRank(stage: string | null | undefined): number {
  if (!stage || stage === 'other') return -1;
  return (LIFECYCLE_STAGES as readonly string[]).indexOf(stage);
}
