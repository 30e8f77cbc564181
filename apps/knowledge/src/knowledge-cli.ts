import { NestFactory } from '@nestjs/core';
import { ConfigValidationError } from '@app/config';
import { loadKnowledgeCliConfig } from '../../worker/src/config/knowledge-cli-config';
import { KNOWLEDGE_STORE, type KnowledgeStore } from '../../worker/src/knowledge/knowledge-store';
import { KnowledgeSync } from '../../worker/src/knowledge/knowledge-sync.service';
import { KnowledgeCliModule } from './knowledge-cli.module';
import { printList, printSearch, printSync, USAGE, type Output } from './knowledge-output';

/** Exit codes: 0 done, 1 failed, 2 done but some files failed (the rest went on), 64 usage. */
export const EXIT = { ok: 0, failed: 1, partial: 2, usage: 64 } as const;

/**
 * `knowledge <command>`: sync <folder> | list | search "<question>" | remove <source>. Runs the
 * worker's knowledge module against the store KNOWLEDGE_STORE names. Returns the exit code.
 */
export async function runKnowledgeCli(
  argv: string[],
  io: Output,
  /** The environment to validate (default: the process's). */
  env?: Record<string, string | undefined>,
): Promise<number> {
  const [command, ...args] = argv;
  const arg = args.join(' ').trim();
  const known = ['sync', 'list', 'search', 'remove'];
  if (!command || !known.includes(command) || (command !== 'list' && !arg)) {
    io.err(USAGE);
    return command === 'help' || command === '--help' ? EXIT.ok : EXIT.usage;
  }
  let config;
  try {
    config = loadKnowledgeCliConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigValidationError)) throw err;
    io.err(err.message);
    return EXIT.failed;
  }
  const app = await NestFactory.createApplicationContext(KnowledgeCliModule.forRoot(config), {
    logger: config.logLevel === 'silent' ? false : ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const store = app.get<KnowledgeStore>(KNOWLEDGE_STORE);
    switch (command) {
      case 'sync': {
        const summary = await app.get(KnowledgeSync).sync(arg, (done, total, source) => {
          // Progress on long runs only: a handful of files is done before anyone looks.
          if (total >= 10) io.err(`[${done}/${total}] ${source}`);
        });
        printSync(io, summary, await store.describe());
        return summary.failed.length > 0 ? EXIT.partial : EXIT.ok;
      }
      case 'list':
        printList(io, await store.list(), await store.describe());
        return EXIT.ok;
      case 'search':
        printSearch(io, arg, await store.search(arg, { limit: config.knowledge.maxResults }));
        return EXIT.ok;
      default: {
        const removed = await store.remove([arg]);
        io.out(removed.length > 0 ? `removed ${arg}` : `not found: ${arg} (see: knowledge list)`);
        return removed.length > 0 ? EXIT.ok : EXIT.failed;
      }
    }
  } catch (err) {
    io.err(`knowledge ${command} failed: ${(err as Error).message}`);
    return EXIT.failed;
  } finally {
    await app.close();
  }
}
