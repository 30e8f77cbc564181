import { BULL_BOARD_ROUTE } from '../admin/admin.module';

/**
 * Bull Board endpoints refused (403) even with the admin credentials: they inject or rewrite jobs
 * (the worker would act on whatever data they carry), lose jobs wholesale, or change how the
 * queue runs. Retry, promote, clean, pause and resume stay (the README runbook uses them).
 * Matched on the route pattern (see node_modules/@bull-board/api/dist/routes.js).
 */
export const REFUSED_BOARD_ROUTES: readonly { method: string; url: string; why: string }[] = [
  { method: 'POST', url: '/api/queues/:queueName/add', why: 'adds a job with arbitrary data' },
  { method: 'PATCH', url: '/api/queues/:queueName/:jobId/update-data', why: 'rewrites job data' },
  { method: 'PUT', url: '/api/queues/:queueName/empty', why: 'drops every waiting job' },
  { method: 'PUT', url: '/api/queues/:queueName/obliterate', why: 'destroys the queue and all its jobs' },
  { method: 'PUT', url: '/api/queues/:queueName/job-schedulers/:schedulerId/remove', why: 'job schedulers' },
  { method: 'PATCH', url: '/api/queues/:queueName/job-schedulers/:schedulerId', why: 'job schedulers' },
  { method: 'PUT', url: '/api/queues/:queueName/job-schedulers/:schedulerId/run', why: 'creates a job' },
  { method: 'PUT', url: '/api/queues/:queueName/concurrency', why: 'queue-wide concurrency is config' },
  { method: 'PUT', url: '/api/queues/:queueName/rate-limit', why: 'queue-wide rate limit is config' },
  { method: 'PUT', url: '/api/queues/:queueName/rate-limit/release', why: 'queue-wide rate limit is config' },
  {
    method: 'PUT',
    url: '/api/queues/:queueName/:jobId/remove-unprocessed-children',
    why: 'drops jobs (no flows here)',
  },
  { method: 'POST', url: '/api/metrics/history/purge', why: 'deletes history' },
].map((r) => ({ ...r, url: `${BULL_BOARD_ROUTE}${r.url}` }));

const REFUSED = new Map(REFUSED_BOARD_ROUTES.map((r) => [`${r.method} ${r.url}`, r.why]));

/** Why this matched route is refused, or undefined when it is allowed. */
export function refusedBecause(method: string, url: string | undefined): string | undefined {
  return url === undefined ? undefined : REFUSED.get(`${method.toUpperCase()} ${url}`);
}
