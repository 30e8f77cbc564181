import { redactEmail, redactPhone, redactText } from '@app/logging';

/** Identifiers and enumerations: useful to an operator, not personal data. */
const KEEP_KEYS = new Set([
  'id',
  'cui',
  'company_cui',
  'contact_id',
  'fields',
  'limit',
  'lifecyclestage',
  'hs_lead_status',
  'property',
  'language',
]);
/** Free text an operator needs to read (why the model handed off): kept, with personal data masked. */
const READABLE_KEYS = new Set(['reason']);
/** Never stored, not even redacted: a one-time code proves an identity. */
const SECRET_KEYS = new Set(['code']);
const EMAIL_KEYS = new Set(['email']);
const PHONE_KEYS = new Set(['phone', 'mobilephone']);
/** Company-register tools: their text is a company name or code, kept with e-mails/phones masked. */
const REGISTER_TOOLS = new Set(['search_companies', 'get_company', 'save_company', 'search_companies_crm']);
const MAX_DEPTH = 4;

/**
 * The model's arguments as the audit trail stores them: ids and enumerations kept, e-mails and
 * phones masked, every other text of a contact tool reduced to its length. Never throws.
 */
export function redactToolArguments(
  toolName: string,
  rawArguments: string,
  names: readonly string[] = [],
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawArguments);
  } catch {
    return { unparsable: `[${rawArguments.length} chars]` };
  }
  const register = REGISTER_TOOLS.has(toolName);
  const walk = (value: unknown, key: string | undefined, depth: number): unknown => {
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value === 'string') return redactString(value, key, register, names);
    if (typeof value !== 'object' || depth >= MAX_DEPTH) return '[…]';
    if (Array.isArray(value)) return value.slice(0, 20).map((v) => walk(v, key, depth + 1));
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .slice(0, 30)
        .map(([k, v]) => [k.slice(0, 64), walk(v, k, depth + 1)]),
    );
  };
  const result = walk(parsed, undefined, 0);
  return result !== null && typeof result === 'object' && !Array.isArray(result)
    ? (result as Record<string, unknown>)
    : { value: result };
}

function redactString(value: string, key: string | undefined, register: boolean, names: readonly string[]): string {
  if (key && SECRET_KEYS.has(key)) return '[redacted]';
  if (key && KEEP_KEYS.has(key)) return value.slice(0, 64);
  if (key && READABLE_KEYS.has(key)) return redactText(value, names).slice(0, 200);
  if (key && EMAIL_KEYS.has(key)) return redactEmail(value);
  if (key && PHONE_KEYS.has(key)) return redactPhone(value);
  if (register) return redactText(value).slice(0, 100);
  return `[${value.length} chars]`;
}
