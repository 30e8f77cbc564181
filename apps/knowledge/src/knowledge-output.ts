import type { KnowledgePassage, StoredDocument } from '../../worker/src/knowledge/knowledge-store';
import type { SyncSummary } from '../../worker/src/knowledge/knowledge-sync.service';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const USAGE = `usage: knowledge <command>
  sync <folder>          make the store hold exactly the folder's .md, .txt, .html and .pdf files
                         (unchanged files are skipped, changed ones replaced, removed ones deleted)
  list                   the documents in the store
  search "<question>"    what the assistant would find for a question
  remove <source>        remove one document (its path as \`list\` shows it)
The store is KNOWLEDGE_STORE (local | openai); the other settings are the worker's (README, "Knowledge").`;

export function printSync(io: Output, s: SyncSummary, store: string): void {
  for (const source of s.added) io.out(`  added     ${source}`);
  for (const source of s.replaced) io.out(`  replaced  ${source}`);
  for (const source of s.removed) io.out(`  removed   ${source}`);
  for (const f of s.failed) io.out(`  FAILED    ${f.source}: ${f.reason}`);
  io.out(
    `sync done in ${(s.durationMs / 1000).toFixed(2)} s (${store}): ${s.added.length} added, ` +
      `${s.replaced.length} replaced, ${s.unchanged} unchanged, ${s.removed.length} removed, ${s.failed.length} failed`,
  );
}

export function printList(io: Output, docs: StoredDocument[], store: string): void {
  io.out(`${docs.length} document(s) in ${store}`);
  for (const d of docs) {
    const meta = [d.language, d.profile && `profile ${d.profile}`, d.url].filter(Boolean).join(', ');
    io.out(`  ${d.source}  "${d.title}"${meta ? `  (${meta})` : ''}  ${d.hash.slice(0, 12)}`);
  }
}

export function printSearch(io: Output, question: string, passages: KnowledgePassage[]): void {
  if (passages.length === 0) {
    io.out(`nothing relevant for "${question}": the assistant would say it does not know (a knowledge gap)`);
    return;
  }
  for (const [i, p] of passages.entries()) {
    io.out(`${i + 1}. ${p.title} (${p.url ?? p.source}) score ${p.score.toFixed(2)}`);
    io.out(`   ${p.text.replace(/\s+/g, ' ').slice(0, 240)}`);
  }
}
