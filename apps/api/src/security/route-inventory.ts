import type { FastifyInstance, RouteOptions } from 'fastify';

export interface InventoryRoute {
  method: string;
  url: string;
}

const inventories = new WeakMap<object, InventoryRoute[]>();

/**
 * Records every route registered on this Fastify instance and its plugins (Nest's controllers,
 * Bull Board's plugin, static files, HEAD twins), from now on. Call before the app is initialised.
 */
export function recordRoutes(fastify: FastifyInstance): void {
  const routes: InventoryRoute[] = [];
  inventories.set(fastify, routes);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method: method.toUpperCase(), url: route.url });
  });
}

/** Every (method, url pattern) the api serves, as recorded by {@link recordRoutes}. */
export function routeInventory(fastify: FastifyInstance): readonly InventoryRoute[] {
  const routes = inventories.get(fastify);
  if (!routes) throw new Error('routes were not recorded for this instance (recordRoutes)');
  return routes;
}
