import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiMetrics } from './api-metrics.service';

export const WEBHOOK_ROUTE = '/webhooks/hubspot';

/**
 * A Fastify onResponse hook counting every answer of the webhook route, whoever gave it: the
 * signature guard (401), the body parser (400/413/415), the controller (200/400/503).
 */
export function webhookMetricsHook(metrics: ApiMetrics) {
  return (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (req.routeOptions.url === WEBHOOK_ROUTE) metrics.observeRequest(reply.statusCode, reply.elapsedTime / 1000);
    done();
  };
}
