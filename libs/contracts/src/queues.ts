/** The single BullMQ queue between the api (producer) and the worker (consumer). */
export const HUBSPOT_EVENTS_QUEUE = 'hubspot-events';
