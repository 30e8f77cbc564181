/**
 * The only routes anyone may call without the admin credentials, by matched route pattern and
 * method. Everything else the api serves (Bull Board, audit, anything added later) requires them:
 * deny by default. Changing this list is a security decision; see docs/SECURITY.md.
 */
export const PUBLIC_ROUTES: readonly { method: string; url: string; why: string }[] = [
  { method: 'POST', url: '/webhooks/hubspot', why: 'HubSpot delivers events; the v3 signature is checked instead' },
  { method: 'GET', url: '/health/live', why: 'liveness probe' },
  { method: 'HEAD', url: '/health/live', why: 'liveness probe' },
  { method: 'GET', url: '/health/ready', why: 'readiness probe' },
  { method: 'HEAD', url: '/health/ready', why: 'readiness probe' },
  { method: 'GET', url: '/metrics', why: 'Prometheus scrape; counts and durations only' },
  { method: 'HEAD', url: '/metrics', why: 'Prometheus scrape' },
];

/** Method → public route patterns: two lookups per request, no string building. */
const PUBLIC = new Map<string, Set<string>>();
for (const r of PUBLIC_ROUTES) PUBLIC.set(r.method, (PUBLIC.get(r.method) ?? new Set()).add(r.url));

/**
 * `url` is the pattern the router matched (`request.routeOptions.url`), never the raw request URL;
 * undefined (nothing matched: the 404 handler) is not public.
 */
export function isPublicRoute(method: string, url: string | undefined): boolean {
  // Fastify gives the method upper-case already.
  return url !== undefined && PUBLIC.get(method)?.has(url) === true;
}

const PUBLIC_PATHS = new Set(PUBLIC_ROUTES.map((r) => r.url));

/**
 * For an unmatched request only (already denied): is its path one of the public paths, called with
 * another method? Those answer 404 (the paths are public knowledge); every other unmatched request
 * answers 401, so an outsider cannot tell which admin paths exist.
 */
export function isPublicPath(rawUrl: string): boolean {
  const q = rawUrl.indexOf('?');
  return PUBLIC_PATHS.has(q === -1 ? rawUrl : rawUrl.slice(0, q));
}
