import { isConfigCheck, loadConfigOrExit, reportConfigOk } from '@app/config';
import { loadApiConfig } from './config/api-config';
import { createApiApp } from './create-api-app';
import { adminListenerOf } from './security/admin-listener';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(() => loadApiConfig(), 'api');
  if (isConfigCheck()) return reportConfigOk('api');
  const app = await createApiApp(config);
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
  const admin = adminListenerOf(app.getHttpAdapter().getInstance());
  if (admin && config.http.adminPort !== undefined) {
    // Bull Board and every /admin route only here; publish PORT alone (docs/SECURITY.md).
    await new Promise<void>((resolve, reject) => {
      admin.once('error', reject);
      admin.listen(config.http.adminPort, '0.0.0.0', () => resolve());
    });
  }
}

void bootstrap();
