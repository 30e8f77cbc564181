import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { LogLevel } from '@app/config';
import { scrubPersonalData } from './personal-data';
import { requestIdFrom } from './request-id';

type LoggedRequest = IncomingMessage & { originalUrl?: string };
// Under Fastify the middleware sees a path stripped by middie; the full path is originalUrl.
const pathOf = (req: LoggedRequest) => req.originalUrl ?? req.url ?? '';

/**
 * Paths redacted from every log line. The request serializer already drops all headers; these
 * are a second line of defence. Explicit paths on purpose: wildcard paths (`*.password`) cost
 * about 9 % of the api's CPU per webhook (docs/BENCHMARKS.md), and our log calls never pass
 * config or credential objects.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hubspot-signature-v3"]',
  'password',
  'secret',
  'clientSecret',
  'accessToken',
  'apiKey',
  'token',
];

export interface LoggingOptions {
  /** Process name in every line: `api` or `worker`. */
  name: string;
  level: LogLevel;
  /** Request paths whose successful requests are logged at debug (they log their own events). */
  quietPaths?: string[];
}

/** Structured JSON logs (pino); each request's lines carry its id (see request-id.ts). */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    const quiet = options.quietPaths ?? [];
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino's default route pattern ('{/*splat}') never matches under FastifyAdapter.
          forRoutes: [{ path: '*', method: RequestMethod.ALL }],
          pinoHttp: {
            name: options.name,
            level: options.level,
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            hooks: { streamWrite: scrubPersonalData },
            // Fastify assigns the id (fastifyRequestIdOptions); this covers any other adapter.
            genReqId: (req: IncomingMessage & { id?: string }) => req.id ?? requestIdFrom(req),
            // Headers are left out on purpose: they carry signatures and credentials.
            serializers: {
              req: (req: { id: string; method: string; url: string; raw?: LoggedRequest }) => ({
                id: req.id,
                method: req.method,
                url: req.raw ? pathOf(req.raw) : req.url,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            // Probes and Prometheus scrapes would log a line every few seconds.
            autoLogging: {
              ignore: (req: LoggedRequest) => pathOf(req).startsWith('/health/') || pathOf(req) === '/metrics',
            },
            customLogLevel: (req: LoggedRequest, res: ServerResponse, err?: Error) => {
              if (err || res.statusCode >= 500) return 'error';
              if (res.statusCode >= 400) return 'warn';
              return quiet.some((p) => pathOf(req).startsWith(p)) ? 'debug' : 'info';
            },
          },
        }),
      ],
    };
  }
}
