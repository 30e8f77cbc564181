import path from 'node:path';
import type { KnowledgeDocument, StoredDocument } from '../knowledge-store';

/** The `profile` attribute of a document for every profile (attributes cannot say "unset"). */
export const EVERY_PROFILE = '*';
const MAX_VALUE = 512;

/** A document's vector-store file attributes (≤ 16 keys; string values ≤ 512 characters). */
export function attributesOf(doc: KnowledgeDocument): Record<string, string> {
  return {
    source: doc.source.slice(0, MAX_VALUE),
    title: doc.title.slice(0, MAX_VALUE),
    ...(doc.url && doc.url.length <= MAX_VALUE ? { source_url: doc.url } : {}),
    ...(doc.language ? { language: doc.language } : {}),
    profile: doc.profile ?? EVERY_PROFILE,
    content_hash: doc.hash,
  };
}

type Attributes = Record<string, string | number | boolean> | null | undefined;

/** A stored file read back from its attributes (a file uploaded by hand: its file name). */
export function documentOf(attributes: Attributes, fallbackName: string): StoredDocument {
  const a = attributes ?? {};
  const str = (key: string) => (typeof a[key] === 'string' ? a[key] : undefined);
  const profile = str('profile');
  return {
    source: str('source') ?? fallbackName,
    title: str('title') ?? str('source') ?? fallbackName,
    hash: str('content_hash') ?? '',
    ...(str('source_url') ? { url: str('source_url') } : {}),
    ...(str('language') ? { language: str('language') } : {}),
    ...(profile && profile !== EVERY_PROFILE ? { profile } : {}),
  };
}

/** The uploaded file's name: the document's, as text (HTML and PDF are uploaded as extracted text). */
export function uploadName(source: string): string {
  const base = path.basename(source, path.extname(source));
  return path.extname(source).toLowerCase() === '.md' ? `${base}.md` : `${base}.txt`;
}
