import { isConfigCheck, loadConfigOrExit, reportConfigOk } from '@app/config';
import { loadWorkerConfig } from './config/worker-config';
import { runSetupCommand } from './companies/setup-command';
import { createWorkerApp } from './create-worker-app';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(() => loadWorkerConfig(), 'worker');
  if (isConfigCheck()) return reportConfigOk('worker');
  if (process.argv[2] === 'setup-company-property') {
    process.exitCode = await runSetupCommand(config, (line) => process.stdout.write(`${line}\n`));
    return;
  }
  const app = await createWorkerApp(config);
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
}

void bootstrap();
