import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Headers on every response (the admin pages are what they protect): only the app's own origin
 * may supply scripts, styles, fonts, images and connections; no framing; no sniffing; no referrer.
 * Bull Board fits: its scripts are same-origin files; its inline `style` attributes need
 * 'unsafe-inline' for styles only; the Google Fonts stylesheet it links is removed from the page
 * (see {@link dropThirdPartyStylesheets}); the board falls back to system fonts.
 */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  global: true,
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
