import type { InventoryRoute } from '../../apps/api/src/security/route-inventory';

const SAMPLES: Record<string, string> = {
  queueName: 'hubspot-events',
  queueStatus: 'failed',
  jobId: 'msg-22761544-probe',
  schedulerId: 'scheduler-1',
  threadId: '3624100517',
};

/** A request path for a route pattern: sample values for `:params`, a real static file for `*`. */
export function concretePath(url: string): string {
  return url
    .replace(/:([A-Za-z]+)/g, (_, name: string) => SAMPLES[name] ?? 'sample1')
    .replace(/\*$/, 'favicon-32x32.png');
}

/** Methods that send a body in the probes. */
export const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function uniqueRoutes(routes: readonly InventoryRoute[]): InventoryRoute[] {
  const seen = new Set<string>();
  return routes.filter((r) => {
    const key = `${r.method} ${r.url}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
