/**
 * The compiled bench imports the worker's knowledge classes, which import `@app/*` (tsconfig paths):
 * map those to their compiled copies under the bench build, before anything else loads them.
 */
import Module from 'node:module';
import path from 'node:path';

type Resolve = (request: string, parent: unknown, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };
const original = mod._resolveFilename;
const BUILD_ROOT = path.resolve(__dirname, '..');

mod._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]): string {
  const alias = /^@app\/([a-z-]+)$/.exec(request);
  const target = alias ? path.join(BUILD_ROOT, 'libs', alias[1], 'src', 'index.js') : request;
  return original.call(this, target, parent, ...rest);
};
