import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { echoRequestId, fastifyRequestIdOptions } from '@app/logging';
import { ADMIN_PREFIX } from './admin/admin.module';
import { basicAuthHook } from './admin/basic-auth.hook';
import { ApiModule } from './api.module';
import type { ApiConfig } from './config/api-config';
import { ApiMetrics } from './metrics/api-metrics.service';
import { webhookMetricsHook } from './metrics/webhook-metrics.hook';
import { MAX_BODY_BYTES, registerJsonBodyParser } from './webhooks/raw-json-body.parser';

/** Builds the api exactly as production runs it; tests and benchmarks use the same function. */
export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES, trustProxy: true, ...fastifyRequestIdOptions });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Body parsing is ours (registerJsonBodyParser): signed routes need the raw bytes.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify);
  fastify.addHook('onRequest', echoRequestId);
  fastify.addHook('onRequest', basicAuthHook(ADMIN_PREFIX, config.bullBoard));
  fastify.addHook('onResponse', webhookMetricsHook(app.get(ApiMetrics)));
  app.enableShutdownHooks();
  return app;
}
