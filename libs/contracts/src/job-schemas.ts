import { z } from 'zod';
import {
  JobName,
  TRACKED_THREAD_PROPERTIES,
  type JobOf,
  type MessageReceivedJob,
  type OutcomeSweepJob,
  type ThreadChangedJob,
  type ThreadOpenedJob,
} from './jobs';

/**
 * The job payload contract, enforced by the worker before it acts on a job: whatever wrote the job
 * (the api, an operator's tool, a mistake), ids are digits and nothing else reaches HubSpot calls.
 */
const digits = z.string().regex(/^\d{1,20}$/, 'must be 1-20 digits');
const count = z
  .number()
  .int('must be an integer')
  .nonnegative('must be >= 0')
  .refine(Number.isSafeInteger, 'must be a safe integer');

/** The operator's audit view of a thread; jobs carry it so Bull Board links there. */
export const canonicalAuditPath = (threadId: string) => `/admin/conversations/${threadId}`;

const ref = {
  portalId: digits,
  threadId: digits,
  occurredAt: count,
  attemptNumber: count,
  auditPath: z.string().max(64).optional(),
};

function auditPathMatches(data: { threadId: string; auditPath?: string }, ctx: z.RefinementCtx): void {
  if (data.auditPath !== undefined && data.auditPath !== canonicalAuditPath(data.threadId)) {
    ctx.addIssue({ code: 'custom', path: ['auditPath'], message: 'must be /admin/conversations/<threadId>' });
  }
}

const messageReceived: z.ZodType<MessageReceivedJob> = z
  .object({
    ...ref,
    // As the ingestion classifier allows (apps/api/src/webhooks/webhook-event.classifier.ts).
    messageId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 letters, digits, _ or -'),
  })
  .superRefine(auditPathMatches);

const threadOpened: z.ZodType<ThreadOpenedJob> = z.object(ref).superRefine(auditPathMatches);

const threadChanged: z.ZodType<ThreadChangedJob> = z
  .object({
    ...ref,
    propertyName: z.enum(TRACKED_THREAD_PROPERTIES, {
      error: `must be one of ${TRACKED_THREAD_PROPERTIES.join(', ')}`,
    }),
    propertyValue: z.string().max(256, 'must be at most 256 characters'),
  })
  .superRefine(auditPathMatches);

const outcomeSweep: z.ZodType<OutcomeSweepJob> = z.object({ requestedAt: count.optional() });

export const JOB_DATA_SCHEMAS: { [N in JobName]: z.ZodType<JobOf<N>> } = {
  [JobName.MessageReceived]: messageReceived,
  [JobName.ThreadOpened]: threadOpened,
  [JobName.ThreadChanged]: threadChanged,
  [JobName.OutcomeSweep]: outcomeSweep,
};

export type JobDataVerdict<N extends JobName> = { ok: true; data: JobOf<N> } | { ok: false; problem: string };

/** Validates a job's data against the contract; unknown fields are dropped, the problem names the field. */
export function parseJobData<N extends JobName>(name: N, data: unknown): JobDataVerdict<N> {
  const parsed = JOB_DATA_SCHEMAS[name].safeParse(data);
  if (parsed.success) return { ok: true, data: parsed.data };
  const problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'data'} ${i.message}`).join('; ');
  return { ok: false, problem };
}
