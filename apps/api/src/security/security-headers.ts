import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { isPublicRoute } from './public-routes';

/**
 * Headers on every response (the admin pages are what they protect): only the app's own origin
 * may supply scripts, styles, fonts, images and connections; no framing; no sniffing; no referrer.
 * Bull Board fits: its scripts are same-origin files; its inline `style` attributes need
 * 'unsafe-inline' for styles only; the Google Fonts stylesheet it links is removed from the page
 * (see {@link dropThirdPartyStylesheets}); the board falls back to system fonts.
 */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      objectSrc: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  noSniff: true,
  referrerPolicy: { policy: 'no-referrer' },
  // The api is reached over plain http inside a compose network too; HSTS belongs to the TLS proxy.
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
};

/**
 * The headers helmet sets for HELMET_OPTIONS, computed once: helmet (and @fastify/helmet) build
 * its middleware — parsing the CSP — on every request, which cost the webhook path ~8 % of its CPU.
 */
export function computeSecurityHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet refused the security header options');
  });
  return headers;
}

/**
 * An onRequest hook that puts the security headers on every response of a non-public route (the
 * admin pages and API, their 401s, unmatched paths). The public routes serve no page: the
 * webhook's JSON for HubSpot, health and metrics go without them.
 */
export function securityHeadersHook(headers = computeSecurityHeaders()) {
  return (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!isPublicRoute(req.method, req.routeOptions.url)) void reply.headers(headers);
    done();
  };
}

const THIRD_PARTY_STYLESHEET = /<link[^>]+href="https:\/\/fonts\.googleapis\.com\/[^"]*"[^>]*>/g;

/**
 * An onSend hook for pages under `prefix` (Bull Board's index): removes the Google Fonts link, so an
 * operator's browser neither tries a request the CSP would block nor tells Google who opens the board.
 */
export function dropThirdPartyStylesheets(prefix: string) {
  return (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
    const route = req.routeOptions.url;
    const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
    if (typeof payload === 'string' && html && route !== undefined && route.startsWith(prefix)) {
      return done(null, payload.replace(THIRD_PARTY_STYLESHEET, ''));
    }
    done(null, payload);
  };
}
