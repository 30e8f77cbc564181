import { loadConfigOrExit } from '@app/config';
import { loadApiConfig } from './config/api-config';
import { createApiApp } from './create-api-app';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(() => loadApiConfig());
  const app = await createApiApp(config);
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
}

void bootstrap();
