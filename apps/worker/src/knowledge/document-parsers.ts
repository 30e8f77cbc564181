import { extractText, getDocumentProxy } from 'unpdf';

/** What a file says about itself: front matter, an HTML <title>, a first heading. */
export interface ParsedFile {
  text: string;
  title?: string;
  url?: string;
  language?: string;
  profile?: string;
}

/** `---\nkey: value\n---` at the top of a Markdown or text file; the rest is the text. */
export function parseMarkdown(raw: string): ParsedFile {
  const text = raw.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const front = /^---\n([\s\S]*?)\n---\n?/.exec(text);
  const fields: Record<string, string> = {};
  if (front) {
    for (const line of front[1].split('\n')) {
      const m = /^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$/.exec(line);
      if (m) fields[m[1].toLowerCase()] = m[2].replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  const body = front ? text.slice(front[0].length) : text;
  const heading = /^#\s+(.+)$/m.exec(body)?.[1]?.trim();
  return {
    text: body.trim(),
    title: fields.title || heading,
    url: fields.source_url || fields.url,
    language: fields.language || fields.lang,
    profile: fields.profile,
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, code: string) => {
    if (code[0] !== '#') return ENTITIES[code.toLowerCase()] ?? all;
    const n = code[1].toLowerCase() === 'x' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
    return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : all;
  });
}

/** An HTML page's readable text (headings kept as Markdown headings, so chunks keep their topic). */
export function parseHtml(raw: string): ParsedFile {
  const attr = (re: RegExp) => {
    const m = re.exec(raw);
    return m ? decodeEntities(m[1]).trim() : undefined;
  };
  const title = attr(/<title[^>]*>([\s\S]*?)<\/title>/i);
  const url =
    attr(/<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)["']/i) ??
    attr(/<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)["']/i);
  const language = attr(/<html[^>]*\slang=["']([^"']+)["']/i);
  const body = (/<body[^>]*>([\s\S]*)<\/body>/i.exec(raw)?.[1] ?? raw)
    .replace(/<(script|style|noscript|template|head)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi, (_m, level: string, inner: string) => {
      return `\n\n${'#'.repeat(Number(level))} ${inner.replace(/<[^>]+>/g, ' ').trim()}\n\n`;
    })
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/section|\/article|\/ul|\/ol|\/table)[^>]*>/gi, '\n\n')
    .replace(/<li[^>]*>/gi, '- ')
    .replace(/<[^>]+>/g, ' ');
  const text = decodeEntities(body)
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, title, url, language: language?.split('-')[0] };
}

/** A PDF's text, page after page; throws on a file that is not a readable PDF. */
export async function parsePdf(bytes: Uint8Array): Promise<ParsedFile> {
  // verbosity 0: errors only (pdf.js warns on stdout about damaged files we report anyway).
  const pdf = await getDocumentProxy(bytes, { verbosity: 0 });
  const info: unknown = (await pdf.getMetadata().catch(() => undefined))?.info;
  const { text } = await extractText(pdf, { mergePages: false });
  const pages = (Array.isArray(text) ? text : [text]).map((p) => p.trim()).filter(Boolean);
  const raw = (info as { Title?: unknown } | undefined)?.Title;
  const title = typeof raw === 'string' && raw.trim() ? raw.trim() : undefined;
  return { text: pages.join('\n\n'), title };
}
