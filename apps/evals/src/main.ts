import { loadConfigOrExit } from '@app/config';
import { loadEvalConfig } from './config/eval-config';
import { EVAL_USAGE, parseEvalArgs, type EvalArgs } from './eval-args';
import { formatTable } from './eval-report';
import { runEvals } from './eval-run';
import { ScenarioFileError } from './scenario-loader';

/** `npm run eval`: the scenarios through the sandbox pipeline; exit 1 below the threshold, 2 on bad input. */
async function main(): Promise<number> {
  let args: EvalArgs;
  try {
    args = parseEvalArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${EVAL_USAGE}\n`);
    return 2;
  }
  const config = loadConfigOrExit(() => loadEvalConfig(args.env));
  if (args.judge && config.model.kind === 'demo') {
    process.stderr.write(
      '--judge needs a real model (OPENAI_API_KEY or OPENAI_BASE_URL): rubrics are reported as not judged\n',
    );
  }
  try {
    const report = await runEvals({
      scenariosDir: args.scenariosDir,
      filter: args.filter,
      threshold: args.threshold,
      concurrency: args.concurrency,
      judge: args.judge,
      model: config.model,
      dataDir: `${config.dataDir}/evals`,
      reportDir: args.reportDir,
      onResult: (r) => process.stderr.write(`${r.passed ? '.' : 'F'}`),
    });
    process.stdout.write(`\n${formatTable(report, process.stdout.columns || 150)}\n`);
    process.stdout.write(`Reports: ${args.reportDir}/eval-report.json, ${args.reportDir}/eval-report.html\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof ScenarioFileError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`eval failed: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);
