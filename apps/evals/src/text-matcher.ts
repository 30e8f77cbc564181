/**
 * A scenario's text matcher: `/source/flags` is a regular expression; anything else a
 * case-insensitive substring (so a reply text with brackets or dots can be pasted as it is).
 */
export function textMatches(matcher: string, text: string): boolean {
  const regex = /^\/(.+)\/([dgimsuvy]*)$/s.exec(matcher);
  if (regex) return new RegExp(regex[1], regex[2]).test(text);
  return text.toLowerCase().includes(matcher.toLowerCase());
}

/** A tool argument matcher: a regular expression as above, else the value's exact text. */
export function valueMatches(expected: string | number | boolean | null, actual: unknown): boolean {
  if (typeof expected === 'string' && /^\/.+\/[dgimsuvy]*$/s.test(expected)) {
    return typeof actual === 'string' && textMatches(expected, actual);
  }
  return expected === null ? actual === null || actual === undefined : String(actual) === String(expected);
}

/** Why a `/regex/` matcher does not compile (undefined: it does, or it is a plain text). */
export function checkMatcher(matcher: string): string | undefined {
  const regex = /^\/(.+)\/([dgimsuvy]*)$/s.exec(matcher);
  if (!regex) return undefined;
  try {
    new RegExp(regex[1], regex[2]);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
