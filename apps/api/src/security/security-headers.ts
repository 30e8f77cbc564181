import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Headers on every response (the admin pages are what they protect): only the app's own origin
 * may supply scripts, styles, fonts, images and connections; no framing; no sniffing; no referrer.
 * Bull Board fits: its scripts are same-origin files; its inline `style` attributes need
 * 'unsafe-inline' for styles only; the Google Fonts stylesheet it links is blocked (system fonts).
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
