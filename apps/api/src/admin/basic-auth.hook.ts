import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface BasicAuthCredentials {
  user: string;
  password: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * A Fastify onRequest hook guarding every route under `prefix` (Bull Board registers its own
 * Fastify plugin outside Nest's router, so a Nest guard would not see its routes).
 */
export function basicAuthHook(prefix: string, credentials: BasicAuthCredentials) {
  // Compare digests: equal length for timingSafeEqual, and no early exit on the first wrong byte.
  const expectedUser = digest(credentials.user);
  const expectedPassword = digest(credentials.password);

  return (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (req.url !== prefix && !req.url.startsWith(`${prefix}/`) && !req.url.startsWith(`${prefix}?`)) {
      return done();
    }
    const header = req.headers.authorization ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    const userOk = sep > 0 && timingSafeEqual(digest(decoded.slice(0, sep)), expectedUser);
    const passwordOk = sep > 0 && timingSafeEqual(digest(decoded.slice(sep + 1)), expectedPassword);
    if (userOk && passwordOk) return done();
    void reply
      .code(401)
      .header('www-authenticate', 'Basic realm="admin", charset="UTF-8"')
      .send({ statusCode: 401, message: 'Unauthorized' });
  };
}
