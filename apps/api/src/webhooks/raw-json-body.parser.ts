import type { FastifyInstance } from 'fastify';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Routes that receive their JSON body as the raw Buffer, to verify a signature over the exact bytes. */
export const RAW_BODY_ROUTES = new Set(['/webhooks/hubspot']);

/**
 * One JSON parser for the app. Signed routes get the bytes (parsed after verification, so an
 * unsigned request never costs a parse); every other route gets Fastify's safe default parser.
 * Only JSON is accepted: any other content type is answered 415 by Fastify itself.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES },
    (req, body: Buffer, done) => {
      if (req.routeOptions.url && RAW_BODY_ROUTES.has(req.routeOptions.url)) return done(null, body);
      void parseJson(req, body.toString('utf8'), done);
    },
  );
}
