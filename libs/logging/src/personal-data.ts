// Anything a visitor types can come back inside an error message (e.g. a tool's "… is not a
// valid CUI"), so personal data is masked on the finished log line, whatever logged it; the same
// rules redact what the audit trail and operator surfaces keep. One e-mail rule, one phone rule.

/** local@domain, with or without a dot in the domain, letters of any script. */
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*/gu;
/** `+40 721 234 567`, `+40721234567`: a leading + is never an id or a time. */
const PHONE_INTERNATIONAL = /\+\d[\d ().-]{5,19}\d/g;
/**
 * `0721 234 567`, `(020) 123-4567` inside text: not right after a quote, colon, letter or dot, so
 * JSON numbers, ids, times and versions stay.
 */
const PHONE_IN_TEXT = /(?<![\p{L}\p{N}"@:./_-])\(?\d[\d ().-]{5,19}\d(?![\p{L}\p{N}@])/gu;
const MAYBE_PHONE = /\+\d|\d[ ().-]\d|[\s(]\d{8}/;
const PHONE_DIGITS = { min: 8, max: 15 };

export const EMAIL_MASK = '[email]';
export const PHONE_MASK = '[phone]';

const isPhone = (candidate: string) => {
  const digits = candidate.replace(/\D/g, '').length;
  return digits >= PHONE_DIGITS.min && digits <= PHONE_DIGITS.max;
};

/** Masks e-mail addresses in a line; a line without `@` is returned untouched (one indexOf). */
export function scrubEmails(line: string): string {
  return line.includes('@') ? line.replace(EMAIL, EMAIL_MASK) : line;
}

/**
 * pino `hooks.streamWrite`: masks e-mail addresses and phone numbers in a serialized log line.
 * Two cheap tests first, so the common line (no `@`, no spaced digits) costs no regex replace.
 */
export function scrubPersonalData(line: string): string {
  const out = scrubEmails(line);
  if (!MAYBE_PHONE.test(out)) return out;
  const mask = (m: string) => (isPhone(m) ? PHONE_MASK : m);
  return out.replace(PHONE_INTERNATIONAL, mask).replace(PHONE_IN_TEXT, mask);
}

/** `jane.doe@example.com` → `j***@example.com`. */
export function redactEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.trim()[0]}***@${email.slice(at + 1).trim()}`;
}

/** `+40 721 234 567` → `***67`. */
export function redactPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 2 ? `***${digits.slice(-2)}` : '***';
}

/**
 * Free text an operator may read (a handoff reason, a tool error): e-mails and phone numbers
 * redacted, and every given name (what the visitor told the tools) replaced by `[name]`.
 */
export function redactText(text: string, names: readonly string[] = []): string {
  let out = text
    .replace(EMAIL, (m) => redactEmail(m))
    .replace(PHONE_INTERNATIONAL, (m) => (isPhone(m) ? redactPhone(m) : m))
    .replace(PHONE_IN_TEXT, (m) => (isPhone(m) ? redactPhone(m) : m));
  for (const name of nameWords(names)) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escape(name)}(?![\\p{L}\\p{N}])`, 'giu'), '[name]');
  }
  return out;
}

/** The words of the given names worth masking (two letters or more), longest first. */
function nameWords(names: readonly string[]): string[] {
  const words = names.flatMap((n) => n.split(/[^\p{L}\p{N}'-]+/u)).filter((w) => [...w].length >= 2);
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
