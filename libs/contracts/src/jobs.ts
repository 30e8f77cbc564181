/** Job names on {@link HUBSPOT_EVENTS_QUEUE}; the worker's processor routes on these. */
export const JobName = {
  MessageReceived: 'message.received',
  ThreadOpened: 'thread.opened',
  ThreadChanged: 'thread.changed',
  /** Repeatable (the worker schedules it at boot): decides the outcomes of conversations whose window passed. */
  OutcomeSweep: 'outcomes.sweep',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/**
 * Fields every job carries. Ids are decimal strings: HubSpot thread ids exceed 2^31 and
 * must never pass through an int32. Payloads carry ids, never message text or other state.
 */
export interface HubSpotEventRef {
  portalId: string;
  threadId: string;
  /** When HubSpot says the event happened (ms epoch). */
  occurredAt: number;
  /** HubSpot's delivery attempt (0 on first delivery) of the webhook that created the job. */
  attemptNumber: number;
  /** The operator's audit view of the thread (admin path), so Bull Board's job data links to it. */
  auditPath?: string;
}

export interface MessageReceivedJob extends HubSpotEventRef {
  messageId: string;
}

export type ThreadOpenedJob = HubSpotEventRef;

export const TRACKED_THREAD_PROPERTIES = ['assignedTo', 'status'] as const;
export type TrackedThreadProperty = (typeof TRACKED_THREAD_PROPERTIES)[number];

export interface ThreadChangedJob extends HubSpotEventRef {
  propertyName: TrackedThreadProperty;
  /** An actor id (or '') for `assignedTo`; `OPEN` / `CLOSED` for `status`. */
  propertyValue: string;
}

/** The repeatable outcome job: no thread of its own, only when it was scheduled to run. */
export interface OutcomeSweepJob {
  /** Set by whoever enqueues it by hand (an operator); the scheduler's jobs carry none. */
  requestedAt?: number;
}

/** The job scheduler id of the outcome job: deterministic, so every worker replica upserts the same one. */
export const OUTCOME_SWEEP_SCHEDULER_ID = 'outcomes-sweep';

export interface JobPayloads {
  [JobName.MessageReceived]: MessageReceivedJob;
  [JobName.ThreadOpened]: ThreadOpenedJob;
  [JobName.ThreadChanged]: ThreadChangedJob;
  [JobName.OutcomeSweep]: OutcomeSweepJob;
}

export type JobOf<N extends JobName> = JobPayloads[N];

/** The jobs a HubSpot webhook event becomes (the repeatable outcome job is the worker's own). */
export type EventJobName = Exclude<JobName, typeof JobName.OutcomeSweep>;

/** A webhook event's job ready to enqueue: name, payload and its deterministic id. */
export type JobSpec = {
  [N in EventJobName]: { name: N; data: JobOf<N>; jobId: string };
}[EventJobName];
