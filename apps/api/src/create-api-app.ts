import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Redis } from 'ioredis';
import { Logger } from 'nestjs-pino';
import { echoRequestId, fastifyRequestIdOptions } from '@app/logging';
import { REDIS_CONNECTION } from '@app/redis';
import { BULL_BOARD_ROUTE } from './admin/admin.module';
import { ApiModule } from './api.module';
import type { ApiConfig } from './config/api-config';
import { setupApiDocs } from './docs/api-docs';
import { ApiMetrics } from './metrics/api-metrics.service';
import { webhookMetricsHook } from './metrics/webhook-metrics.hook';
import { accessControlHook } from './security/access-control.hook';
import { createAdminListener } from './security/admin-listener';
import { LoginLimiter } from './security/login-limiter';
import { recordRoutes } from './security/route-inventory';
import { dropThirdPartyStylesheets, securityHeadersHook } from './security/security-headers';
import { MAX_BODY_BYTES, registerJsonBodyParser } from './webhooks/raw-json-body.parser';

/** Builds the api exactly as production runs it; tests and benchmarks use the same function. */
export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const trustedProxies = config.http.trustedProxies;
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    // X-Forwarded-* only from the configured proxies: anyone else could choose their own address.
    trustProxy: trustedProxies.length > 0 ? trustedProxies : false,
    ...fastifyRequestIdOptions,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Body parsing is ours (registerJsonBodyParser): signed routes need the raw bytes.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  // Before any route exists (Nest registers its routes and Bull Board its plugin in app.init()).
  recordRoutes(fastify);
  registerJsonBodyParser(fastify);
  // Before the access hook, so its answers (401, 403, 404, 429) carry the headers too.
  fastify.addHook('onRequest', securityHeadersHook());
  fastify.addHook('onRequest', echoRequestId);
  const metrics = app.get(ApiMetrics);
  fastify.addHook(
    'onRequest',
    accessControlHook({
      credentials: config.bullBoard,
      limiter: new LoginLimiter(
        app.get<Redis>(REDIS_CONNECTION),
        config.adminAuth.maxFailures,
        config.adminAuth.windowSeconds,
      ),
      metrics,
      adminListenerOnly: config.http.adminPort !== undefined,
    }),
  );
  fastify.addHook('onSend', dropThirdPartyStylesheets(BULL_BOARD_ROUTE));
  fastify.addHook('onResponse', webhookMetricsHook(metrics));
  // After the access hook: its routes (page, init script, static files, JSON) are admin routes.
  setupApiDocs(app);
  if (config.http.adminPort !== undefined) createAdminListener(fastify);
  app.enableShutdownHooks();
  return app;
}
