// Anything a visitor types can come back inside an error message (e.g. a tool's "… is not a
// valid CUI"), so e-mail addresses are masked on the finished line, whatever logged them.
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

export const EMAIL_MASK = '[email]';

/**
 * pino `hooks.streamWrite`: masks e-mail addresses in a serialized log line. Lines without an
 * `@` (nearly all of them) are returned untouched, so the cost is one `indexOf` per line.
 */
export function scrubEmails(line: string): string {
  return line.includes('@') ? line.replace(EMAIL, EMAIL_MASK) : line;
}
