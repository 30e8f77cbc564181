import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Fastify `genReqId`: the caller's `X-Request-Id` when it is sane, a UUID otherwise. */
export function requestIdFrom(req: { headers: IncomingHttpHeaders }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Fastify onRequest hook: echo the request id so callers can quote it. */
export function echoRequestId(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  void reply.header('x-request-id', req.id);
  done();
}

export const fastifyRequestIdOptions = { genReqId: requestIdFrom, requestIdHeader: false as const };
