import type { KnowledgeSource } from './knowledge-store';
import { indexTerms } from './knowledge-text';

export const MAX_CITATIONS = 3;
/** Index terms a passage must share with the answer to count as used by it. */
const MIN_SHARED_TERMS = 2;

const HEADINGS: Record<string, string> = { en: 'Sources', ro: 'Surse', nl: 'Bronnen' };

export interface FoundPassage extends KnowledgeSource {
  text: string;
}

/**
 * The sources an answer used: passages the search returned whose words the answer repeats (a
 * passage found but not used is not cited), most shared words first, one per document or URL,
 * at most three.
 */
export function citedSources(answer: string, found: readonly FoundPassage[]): KnowledgeSource[] {
  const answerTerms = new Set(indexTerms(answer));
  const scored = found
    .map((p, order) => ({ p, order, shared: new Set(indexTerms(p.text).filter((t) => answerTerms.has(t))).size }))
    .sort((a, b) => b.shared - a.shared || a.order - b.order);
  // Used: at least two shared words, and two thirds as many as the passage the answer used most.
  const floor = Math.max(MIN_SHARED_TERMS, Math.ceil(((scored[0]?.shared ?? 0) * 2) / 3));
  const seen = new Set<string>();
  const sources: KnowledgeSource[] = [];
  for (const { p, shared } of scored) {
    if (shared < floor) break;
    const key = (p.url ?? p.source).toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    sources.push({ source: p.source, title: p.title, ...(p.url ? { url: p.url } : {}) });
    if (sources.length === MAX_CITATIONS) break;
  }
  return sources;
}

/**
 * The sources as the reply's last lines, in Markdown: a title linked to its URL (a link in
 * `richText`, "Title (url)" in `text`), or the plain title of a document without one.
 */
export function sourcesBlock(sources: readonly KnowledgeSource[], language: string): string {
  const lines = sources.map((s) => `- ${s.url ? `[${escapeLabel(s.title)}](${s.url})` : escapeLabel(s.title)}`);
  return `${HEADINGS[language] ?? HEADINGS.en}:\n${lines.join('\n')}`;
}

const escapeLabel = (title: string) => title.replace(/[[\]*_`\\<>]/g, (c) => `\\${c}`);
