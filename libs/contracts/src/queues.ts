/** The single BullMQ queue between the api (producer) and the worker (consumer). */
export const HUBSPOT_EVENTS_QUEUE = 'hubspot-events';

/**
 * The backoff type of every job: exponential from the job's delay, but never shorter than the
 * Retry-After an upstream asked for. The worker implements it (`backoffStrategy`).
 */
export const UPSTREAM_AWARE_BACKOFF = 'upstream-aware';
