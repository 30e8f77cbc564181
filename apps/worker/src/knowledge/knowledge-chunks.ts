/** One piece of a document the local index searches: its heading path and text. */
export interface TextChunk {
  heading: string;
  text: string;
}

const MAX_CHUNK_CHARS = 1200;

/**
 * Splits a document at Markdown headings and blank lines into chunks of at most ~1,200 characters
 * (a long paragraph is cut at sentence ends), each with the heading it sits under: a passage read
 * alone still says what it is about.
 */
export function chunkText(text: string): TextChunk[] {
  const chunks: TextChunk[] = [];
  let heading = '';
  let current: string[] = [];
  const flush = () => {
    const body = current.join('\n\n').trim();
    if (body) chunks.push({ heading, text: body });
    current = [];
  };
  for (const block of text.replace(/\r\n/g, '\n').split(/\n\s*\n/)) {
    const trimmed = block.trim();
    if (!trimmed) continue;
    const title = /^#{1,6}\s+(.+)$/.exec(trimmed.split('\n')[0]);
    if (title) {
      flush();
      heading = title[1].trim();
      const rest = trimmed.split('\n').slice(1).join('\n').trim();
      if (rest) current.push(rest);
      continue;
    }
    for (const piece of cut(trimmed)) {
      if (current.join('\n\n').length + piece.length > MAX_CHUNK_CHARS) flush();
      current.push(piece);
    }
  }
  flush();
  return chunks;
}

/** A paragraph longer than a chunk, cut at sentence ends (or hard, for text without any). */
function cut(paragraph: string): string[] {
  if (paragraph.length <= MAX_CHUNK_CHARS) return [paragraph];
  const pieces: string[] = [];
  let rest = paragraph;
  while (rest.length > MAX_CHUNK_CHARS) {
    const window = rest.slice(0, MAX_CHUNK_CHARS);
    const end = Math.max(window.lastIndexOf('. '), window.lastIndexOf('? '), window.lastIndexOf('! '));
    const at = end > MAX_CHUNK_CHARS / 3 ? end + 1 : MAX_CHUNK_CHARS;
    pieces.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
