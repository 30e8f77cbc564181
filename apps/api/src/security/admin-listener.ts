import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const ADMIN_SOCKET = Symbol('adminListener');

const listeners = new WeakMap<object, Server>();

/** The ADMIN_PORT listener of this app's Fastify instance (not listening until main.ts says so). */
export function adminListenerOf(fastify: FastifyInstance): Server | undefined {
  return listeners.get(fastify);
}

type TaggedSocket = Socket & { [ADMIN_SOCKET]?: true };

/** True when the request arrived on the ADMIN_PORT listener (the socket was tagged on accept). */
export function cameThroughAdminListener(req: FastifyRequest): boolean {
  return (req.raw.socket as TaggedSocket | null)?.[ADMIN_SOCKET] === true;
}

/**
 * A second HTTP server handing its requests to the same Fastify instance (same routes, hooks and
 * auth). Its sockets are tagged, so the access hook knows which listener a request came through.
 * Closed with the app.
 */
export function createAdminListener(fastify: FastifyInstance): Server {
  const server = createServer((req, res) => fastify.routing(req, res));
  server.on('connection', (socket: TaggedSocket) => {
    socket[ADMIN_SOCKET] = true;
  });
  // Same timeouts as the main listener.
  server.requestTimeout = fastify.server.requestTimeout;
  server.headersTimeout = fastify.server.headersTimeout;
  server.keepAliveTimeout = fastify.server.keepAliveTimeout;
  fastify.addHook('onClose', (_instance, done) => {
    if (!server.listening) return done();
    server.closeAllConnections();
    server.close(() => done());
  });
  listeners.set(fastify, server);
  return server;
}
