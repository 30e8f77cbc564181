import { loadConfigOrExit } from '@app/config';
import { loadSandboxConfig } from './config/sandbox-config';
import { startSandbox } from './start-sandbox';

/** `npm run sandbox`: everything in one process; one URL printed; Ctrl-C stops it all. */
async function main(): Promise<void> {
  const config = loadConfigOrExit(() => loadSandboxConfig());
  const sandbox = await startSandbox({
    host: config.host,
    port: config.port,
    apiPort: config.apiPort,
    redisUrl: config.redisUrl,
    dataDir: config.dataDir,
    model: config.model,
    logLevel: config.logLevel,
    webhookRetryBaseMs: config.webhookRetryBaseMs,
    admin: config.admin,
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // Nest's own shutdown hooks re-raise the signal once they are done: the first one counts.
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the sandbox…\n`);
    setTimeout(() => process.exit(1), 15_000).unref();
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const model = sandbox.info.model.kind === 'demo' ? 'the demo model (scripted)' : sandbox.info.model.label;
  process.stdout.write(`\nSandbox ready with ${model}. Open:\n\n  ${sandbox.url}\n\n(Ctrl-C stops it)\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`sandbox failed to start: ${err.message}\n`);
  process.exit(1);
});
