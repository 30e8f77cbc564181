/**
 * Splits a long answer into chat-sized messages at paragraph boundaries (then lines, then
 * sentences, then hard cuts), never returning an empty part.
 */
export function splitReply(text: string, maxChars: number): string[] {
  const clean = text.replace(/\r\n/g, '\n').trim();
  if (!clean) return [];
  const parts: string[] = [];
  let rest = clean;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars + 1);
    const cut =
      lastBreak(window, '\n\n', maxChars) ??
      lastBreak(window, '\n', maxChars) ??
      lastBreak(window, '. ', maxChars, 1) ??
      lastBreak(window, ' ', maxChars) ??
      maxChars;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts.filter((p) => p.length > 0);
}

function lastBreak(window: string, sep: string, max: number, keep = 0): number | undefined {
  const i = window.lastIndexOf(sep, max);
  // A break in the first fifth would leave a tiny part; prefer a harder cut further on.
  return i > max / 5 ? i + keep : undefined;
}
