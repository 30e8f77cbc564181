import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The job a budget call is made for, so a job that must wait for a unit can reserve it under its
 * own id, wait as a delayed job until then, and find it again when it comes back. Set by the
 * queue around each job; calls outside a job (none today) wait the old way.
 */
export const budgetReservations = new AsyncLocalStorage<{ reservationId: string }>();
