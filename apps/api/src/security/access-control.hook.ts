import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cameThroughAdminListener } from './admin-listener';
import { basicCredentialChecker, type BasicAuthCredentials } from './basic-credentials';
import type { LoginLimiter } from './login-limiter';
import { isPublicPath, isPublicRoute } from './public-routes';
import { refusedBecause } from './refused-routes';

export interface AccessControlOptions {
  credentials: BasicAuthCredentials;
  limiter: LoginLimiter;
  metrics: { adminAuthFailed(): void; adminAuthRefused(): void };
  /** ADMIN_PORT is set: non-public routes are served on the admin listener only. */
  adminListenerOnly: boolean;
}

const logger = new Logger('AdminAuth');

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Basic realm="admin", charset="UTF-8"')
    .send({ statusCode: 401, message: 'Unauthorized' });
}

/**
 * The one access decision of the api, as a root onRequest hook (so it also covers Bull Board's
 * Fastify plugin, which Nest's guards never see, and the 404 handler). It decides on the route the
 * router matched (`routeOptions.url`), never on the raw URL: a percent-encoded or otherwise
 * respelled path either matches a route, and is judged as that route, or matches nothing.
 *
 * public route → on; everything else (unmatched included) needs the admin credentials;
 * wrong credentials are counted per client address and refused (429) past the limit.
 */
export function accessControlHook(options: AccessControlOptions) {
  const check = basicCredentialChecker(options.credentials);
  const { limiter, metrics } = options;

  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const route = req.routeOptions.url;
    if (isPublicRoute(req.method, route)) return undefined;
    if (options.adminListenerOnly && !cameThroughAdminListener(req)) {
      // Not served on this listener at all.
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Not Found' });
    }

    // Unmatched (the 404 handler) is denied like any admin route, except a public path called
    // with another method, which is left to answer 404 (those paths are public knowledge).
    if (route === undefined && isPublicPath(req.url)) return undefined;

    const verdict = check(req.headers.authorization);
    if (verdict === 'missing') return unauthorized(reply);

    const ip = req.ip;
    const where = { ip, method: req.method, route: route ?? '(no route)' };
    if (verdict === 'wrong') {
      metrics.adminAuthFailed();
      const state = await limiter.recordFailure(ip);
      // Never the submitted credentials or the Authorization header.
      logger.warn({ ...where, failures: state?.failures }, 'admin login failed');
      if (state?.blocked) return tooManyFailures(reply, state.retryAfterMs, where);
      return unauthorized(reply);
    }

    const state = await limiter.current(ip);
    if (state?.blocked) return tooManyFailures(reply, state.retryAfterMs, where);

    const refused = refusedBecause(req.method, route);
    if (refused) {
      return reply.code(403).send({
        statusCode: 403,
        error: 'Forbidden',
        message: `This Bull Board action is disabled in this deployment (${refused}); see docs/SECURITY.md.`,
      });
    }
    return undefined;
  };

  function tooManyFailures(reply: FastifyReply, retryAfterMs: number, where: Record<string, string>) {
    metrics.adminAuthRefused();
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    logger.warn({ ...where, retryAfterSeconds: seconds }, 'admin login refused: too many failed logins');
    return reply
      .code(429)
      .header('retry-after', String(seconds))
      .send({ statusCode: 429, error: 'Too Many Requests', message: 'Too many failed logins; try again later.' });
  }
}
