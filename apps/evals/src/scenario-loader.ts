import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import { scenarioSchema, type Scenario, type ScenarioExpect, type TurnExpect } from './scenario.schema';
import { checkMatcher } from './text-matcher';

export interface LoadedScenario extends Scenario {
  /** The file it came from (relative to the scenarios folder). */
  file: string;
}

/** Every problem of every malformed file, each as `file: path: message`. */
export class ScenarioFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid eval scenarios:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** `turns[2].expect.tools` from a zod issue path. */
function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}

/** One scenario file's text → the scenario, or the problems (YAML syntax with line, or schema path). */
export function parseScenario(file: string, text: string): { scenario?: LoadedScenario; problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return { problems: doc.errors.map((e) => `${file}: YAML: ${e.message.split('\n')[0]}`) };
  }
  const parsed = scenarioSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => `${file}: ${pathText(i.path) || '(top)'}: ${i.message}`) };
  }
  const bad = regexProblems(parsed.data).map((p) => `${file}: ${p}`);
  return bad.length ? { problems: bad } : { scenario: { ...parsed.data, file }, problems: [] };
}

/** `/regex/` matchers that do not compile, found at load time rather than mid-run. */
function regexProblems(scenario: Scenario): string[] {
  const problems: string[] = [];
  const check = (where: string, e: Partial<TurnExpect & ScenarioExpect> | undefined) => {
    const texts: [string, string][] = [
      ...(e?.replyMatches ?? []).map((m): [string, string] => ['replyMatches', m]),
      ...(e?.replyNotMatches ?? []).map((m): [string, string] => ['replyNotMatches', m]),
      ...(e?.tools ?? []).flatMap((t) =>
        typeof t === 'string'
          ? []
          : Object.values(t.args ?? {})
              .filter((v): v is string => typeof v === 'string')
              .map((v): [string, string] => ['tools', v]),
      ),
    ];
    for (const [key, m] of texts) {
      const problem = checkMatcher(m);
      if (problem) problems.push(`${where}.${key}: ${problem}`);
    }
  };
  scenario.turns.forEach((t, i) => check(`turns[${i}].expect`, 'expect' in t ? t.expect : undefined));
  check('expect', scenario.expect);
  return problems;
}

/**
 * The scenarios of a folder (`*.yaml`, `*.yml`), sorted by file name; with `filter`, only those whose
 * name, file or tags contain it. Throws ScenarioFileError listing every problem of every file, and
 * when two files use the same name.
 */
export async function loadScenarios(dir: string, filter?: string): Promise<LoadedScenario[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const problems: string[] = [];
  const scenarios: LoadedScenario[] = [];
  for (const file of files) {
    const result = parseScenario(basename(file), await readFile(join(dir, file), 'utf8'));
    problems.push(...result.problems);
    if (result.scenario) scenarios.push(result.scenario);
  }
  const seen = new Map<string, string>();
  for (const s of scenarios) {
    const other = seen.get(s.name);
    if (other) problems.push(`${s.file}: name: "${s.name}" is already used by ${other}`);
    seen.set(s.name, s.file);
  }
  if (problems.length > 0) throw new ScenarioFileError(problems);
  if (files.length === 0) throw new ScenarioFileError([`${dir}: no *.yaml scenario files`]);
  const wanted = filter?.toLowerCase();
  return wanted
    ? scenarios.filter((s) => [s.name, s.file, ...s.tags].some((t) => t.toLowerCase().includes(wanted)))
    : scenarios;
}
