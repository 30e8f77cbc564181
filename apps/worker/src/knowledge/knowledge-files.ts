import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseHtml, parseMarkdown, parsePdf, type ParsedFile } from './document-parsers';
import type { KnowledgeDocument } from './knowledge-store';

/** A file that could not be used, and why (reported; the rest of the folder goes on). */
export interface FileProblem {
  source: string;
  reason: string;
}

/** What `sources.json` may say about a file (by its path relative to the folder). */
interface SourceEntry {
  title?: string;
  url?: string;
  language?: string;
  profile?: string;
}

const PARSERS: Record<string, (bytes: Buffer) => ParsedFile | Promise<ParsedFile>> = {
  '.md': (b) => parseMarkdown(b.toString('utf8')),
  '.markdown': (b) => parseMarkdown(b.toString('utf8')),
  '.txt': (b) => parseMarkdown(b.toString('utf8')),
  '.html': (b) => parseHtml(b.toString('utf8')),
  '.htm': (b) => parseHtml(b.toString('utf8')),
  '.pdf': (b) => parsePdf(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
};
const SOURCES_FILE = 'sources.json';
const LANGUAGE_IN_PATH = /(?:^|[/._-])(en|ro|nl)(?=[/._-])/;

/**
 * Reads a knowledge folder (recursively): .md, .txt, .html and .pdf files become documents, with
 * title and source URL from front matter, the page itself or `sources.json`. Every bad file (an
 * unsupported type, too large, unreadable, empty) is reported and skipped; the others go on.
 */
export async function readKnowledgeFolder(
  dir: string,
  maxBytes: number,
): Promise<{ documents: KnowledgeDocument[]; problems: FileProblem[] }> {
  const files = await walk(dir);
  const problems: FileProblem[] = [];
  const sources = await readSources(dir, problems);
  const documents: KnowledgeDocument[] = [];
  for (const file of files) {
    const source = path.relative(dir, file).split(path.sep).join('/');
    if (source === SOURCES_FILE || path.basename(source).startsWith('.')) continue;
    const parse = PARSERS[path.extname(file).toLowerCase()];
    if (!parse) {
      problems.push({ source, reason: `unsupported file type (${path.extname(file) || 'none'})` });
      continue;
    }
    try {
      const size = (await stat(file)).size;
      if (size > maxBytes) {
        problems.push({ source, reason: `too large (${mb(size)} MB; the limit is ${mb(maxBytes)} MB)` });
        continue;
      }
      const parsed = await parse(await readFile(file));
      if (!parsed.text.trim()) {
        problems.push({ source, reason: 'no text found' });
        continue;
      }
      documents.push(toDocument(source, parsed, sources[source] ?? {}));
    } catch (err) {
      problems.push({ source, reason: `unreadable: ${(err as Error).message}`.slice(0, 200) });
    }
  }
  return { documents, problems };
}

function toDocument(source: string, parsed: ParsedFile, entry: SourceEntry): KnowledgeDocument {
  const title = entry.title ?? parsed.title ?? path.basename(source, path.extname(source));
  const url = entry.url ?? parsed.url;
  const language = (entry.language ?? parsed.language ?? LANGUAGE_IN_PATH.exec(source)?.[1])?.toLowerCase();
  const profile = entry.profile ?? parsed.profile;
  const meta = { source, title, url, language, profile, text: parsed.text };
  const hash = createHash('sha256').update(JSON.stringify(meta)).digest('hex');
  return {
    source,
    title,
    text: parsed.text,
    hash,
    ...(url && /^https?:\/\//i.test(url) ? { url } : {}),
    ...(language ? { language } : {}),
    ...(profile ? { profile } : {}),
  };
}

async function readSources(dir: string, problems: FileProblem[]): Promise<Record<string, SourceEntry>> {
  let raw: string;
  try {
    raw = await readFile(path.join(dir, SOURCES_FILE), 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(
        Object.entries(parsed as Record<string, unknown>).map(([file, value]) => [
          file,
          typeof value === 'string' ? { url: value } : ((value ?? {}) as SourceEntry),
        ]),
      );
    }
    problems.push({ source: SOURCES_FILE, reason: 'must be an object: file → URL or {title, url, language}' });
  } catch (err) {
    problems.push({ source: SOURCES_FILE, reason: `not valid JSON: ${(err as Error).message}` });
  }
  return {};
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
      .map((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? walk(full) : Promise.resolve(e.isFile() ? [full] : []);
      }),
  );
  return nested.flat().sort();
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
