import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { echoRequestId, fastifyRequestIdOptions } from '@app/logging';
import type { WorkerConfig } from './config/worker-config';
import { WorkerModule } from './worker.module';

export async function createWorkerApp(config: WorkerConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    WorkerModule.forRoot(config),
    new FastifyAdapter(fastifyRequestIdOptions),
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  app.getHttpAdapter().getInstance().addHook('onRequest', echoRequestId);
  // SIGTERM/SIGINT close the HTTP server, then the modules (queue consumers drain, Redis quits).
  app.enableShutdownHooks();
  return app;
}
