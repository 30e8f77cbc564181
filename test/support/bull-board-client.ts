import type { Server } from 'node:http';
import request from 'supertest';
import { HUBSPOT_EVENTS_QUEUE, JobName } from '@app/contracts';
import { BOARD_PASSWORD, BOARD_USER } from './api-harness';

/** A job as Bull Board's JSON API shows it (the fields the tests read). */
export interface BoardJob {
  id: string;
  name: string;
  attempts: number;
  stalledCounter?: number;
  returnValue?: unknown;
  failedReason?: string;
  finishedOn?: number;
}

export interface BoardQueue {
  name: string;
  counts: Record<'active' | 'waiting' | 'delayed' | 'completed' | 'failed' | 'paused' | 'prioritized', number>;
  jobs: BoardJob[];
}

/**
 * What an operator sees in Bull Board: `GET /admin/queues/api/queues` (basic auth) for the events queue,
 * with up to `jobsPerPage` jobs of one status.
 */
export async function boardQueue(server: Server, status = 'completed', jobsPerPage = 100): Promise<BoardQueue> {
  const res = await request(server)
    .get('/admin/queues/api/queues')
    .query({ activeQueue: HUBSPOT_EVENTS_QUEUE, status, page: 1, jobsPerPage })
    .auth(BOARD_USER, BOARD_PASSWORD)
    .expect(200);
  const queue = (res.body as { queues: BoardQueue[] }).queues.find((q) => q.name === HUBSPOT_EVENTS_QUEUE);
  if (!queue) throw new Error(`Bull Board does not list ${HUBSPOT_EVENTS_QUEUE}`);
  return queue;
}

/**
 * Bull Board's view of the events queue without the repeatable outcome job (issue 18): its next
 * run always waits as one delayed job, and its runs complete beside the turns. Counts and jobs of
 * `status` are the visitor-event jobs only.
 */
export async function eventJobsQueue(server: Server, status = 'completed'): Promise<BoardQueue> {
  const board = await boardQueue(server, status);
  const sweeps = async (s: 'delayed' | 'completed') =>
    (s === status ? board : await boardQueue(server, s)).jobs.filter((j) => j.name === JobName.OutcomeSweep).length;
  const counts = { ...board.counts };
  counts.delayed -= await sweeps('delayed');
  counts.completed -= await sweeps('completed');
  return { ...board, counts, jobs: board.jobs.filter((j) => j.name !== JobName.OutcomeSweep) };
}
