import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Imports run one way: queue → turns → engines / channel / tools / identity → everything else
// (providers and state). A lower folder importing a higher one is a cycle waiting to happen.
const LAYER: Record<string, number> = { queue: 4, turns: 3, engines: 2, channel: 2, tools: 2, identity: 2 };
const layerOf = (folder: string) => LAYER[folder] ?? 1;
const SRC = __dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

const topFolder = (file: string) => path.relative(SRC, file).split(path.sep)[0];

describe('worker layers', () => {
  it('no folder imports a folder of a higher layer', () => {
    const upward: string[] = [];
    // Files at the top (main, the app module) compose everything: they are the one exception.
    for (const file of sourceFiles(SRC).filter((f) => path.dirname(f) !== SRC)) {
      const from = topFolder(file);
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const to = topFolder(path.resolve(path.dirname(file), spec));
        if (to !== from && !to.startsWith('..') && layerOf(to) > layerOf(from)) {
          upward.push(`${path.relative(SRC, file)} → ${spec}`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it('only the engines (and the OpenAI knowledge store, in its own folder) import the openai package', () => {
    // The vector store is the one OpenAI resource outside a model turn: KNOWLEDGE_STORE=openai.
    const allowed = (file: string) =>
      topFolder(file) === 'engines' || path.dirname(path.relative(SRC, file)) === path.join('knowledge', 'openai');
    const outside = sourceFiles(SRC)
      .filter((file) => !allowed(file))
      .filter((file) => /from 'openai(\/[^']*)?'/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    expect(outside).toEqual([]);
  });
});
