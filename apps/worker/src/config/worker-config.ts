import { z } from 'zod';
import { baseEnvSchema, env, loadConfig, type LogLevel } from '@app/config';

const workerEnvSchema = baseEnvSchema.extend({
  WORKER_HTTP_PORT: env.port().default(3001),
});

/** The worker's configuration, validated once at boot. Injected by class token. */
export class WorkerConfig {
  readonly logLevel!: LogLevel;
  readonly http!: { port: number };
  readonly redis!: { url: string };
}

export function loadWorkerConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  return loadConfig(workerEnvSchema, source, (e: z.output<typeof workerEnvSchema>) => ({
    logLevel: e.LOG_LEVEL,
    http: { port: e.WORKER_HTTP_PORT },
    redis: { url: e.REDIS_URL },
  }));
}
