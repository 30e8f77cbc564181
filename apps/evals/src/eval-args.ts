import { parseArgs } from 'node:util';

export interface EvalArgs {
  scenariosDir: string;
  reportDir: string;
  filter?: string;
  threshold?: number;
  concurrency?: number;
  judge: boolean;
  /** Variables the flags set for the model choice (ASSISTANT_ENGINE, OPENAI_MODEL). */
  env: Record<string, string>;
}

export const EVAL_USAGE = `usage: npm run eval -- [options]
  --filter <text>      only scenarios whose name, file or tag contains <text>
  --threshold <0..1>   pass share required (default 1 with the demo model, 0.8 with a real one)
  --judge              judge the scenarios' rubrics with the configured model (a real one only)
  --engine <name>      ASSISTANT_ENGINE for this run (responses | chat-completions)
  --model <name>       OPENAI_MODEL for this run
  --concurrency <n>    scenarios at once (default 4)
  --scenarios <dir>    scenario folder (default evals)
  --out <dir>          where eval-report.json / .html go (default .)
The model: OPENAI_API_KEY (OpenAI), OPENAI_BASE_URL (a compatible server), else the demo model.`;

/** The command line of `npm run eval`; throws with the usage on a bad flag. */
export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      filter: { type: 'string' },
      threshold: { type: 'string' },
      judge: { type: 'boolean', default: false },
      engine: { type: 'string' },
      model: { type: 'string' },
      concurrency: { type: 'string' },
      scenarios: { type: 'string', default: 'evals' },
      out: { type: 'string', default: '.' },
    },
    strict: true,
    allowPositionals: false,
  });
  const number = (name: string, raw: string | undefined, min: number, max: number) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return n;
  };
  const env: Record<string, string> = {};
  if (values.engine) env.ASSISTANT_ENGINE = values.engine;
  if (values.model) env.OPENAI_MODEL = values.model;
  return {
    scenariosDir: values.scenarios,
    reportDir: values.out,
    filter: values.filter,
    threshold: number('threshold', values.threshold, 0, 1),
    concurrency: number('concurrency', values.concurrency, 1, 16),
    judge: values.judge,
    env,
  };
}
