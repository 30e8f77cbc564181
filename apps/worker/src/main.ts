import { isConfigCheck, loadConfigOrExit, reportConfigOk } from '@app/config';
import { loadWorkerConfig } from './config/worker-config';
import { createWorkerApp } from './create-worker-app';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(() => loadWorkerConfig(), 'worker');
  if (isConfigCheck()) return reportConfigOk('worker');
  const app = await createWorkerApp(config);
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
}

void bootstrap();
