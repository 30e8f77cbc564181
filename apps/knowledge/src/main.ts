import { runKnowledgeCli } from './knowledge-cli';

// `npm run knowledge -- <command>` or, in the image, `node dist/apps/knowledge/main.js <command>`.
void runKnowledgeCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`knowledge: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
