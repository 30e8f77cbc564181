import { z } from 'zod';
import { auditPath } from '@app/audit';
import {
  JobName,
  TRACKED_THREAD_PROPERTIES,
  messageJobId,
  threadChangedJobId,
  threadOpenedJobId,
  type JobSpec,
} from '@app/contracts';

export type ClassifiedEvent =
  { kind: 'job'; job: JobSpec } | { kind: 'ignored'; reason: string } | { kind: 'invalid'; reason: string };

// Ids may arrive as JSON numbers or strings; numbers beyond 2^53 have already lost digits.
const id = z
  .union([
    z.number().int().nonnegative().refine(Number.isSafeInteger, 'is not a safe integer'),
    z.string().regex(/^\d{1,20}$/, 'must be digits'),
  ])
  .transform(String);

// z.object() tolerates (and drops) unknown fields, as HubSpot may add some.
const envelope = z.object({
  portalId: id,
  objectId: id,
  occurredAt: z.number().int().nonnegative(),
  attemptNumber: z.number().int().nonnegative().default(0),
});

const newMessage = envelope.extend({
  messageId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 letters, digits, _ or -'),
});

const propertyChange = envelope.extend({
  propertyValue: z
    .union([z.string().max(256), z.number()])
    .nullish()
    .transform((v) => (v == null ? '' : String(v))),
});

const TRACKED = new Set<string>(TRACKED_THREAD_PROPERTIES);

/** A log-safe word for an untrusted value: `String()` can throw on objects with their own toString. */
function describeValue(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 64) : typeof value;
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'event'} ${i.message}`).join('; ');
}

/** Maps one webhook event to the job it should create, or says why it creates none. */
export function classifyEvent(raw: unknown): ClassifiedEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { kind: 'invalid', reason: 'event is not an object' };
  }
  const event = raw as Record<string, unknown>;
  const type = event.subscriptionType;
  if (typeof type !== 'string') return { kind: 'invalid', reason: 'subscriptionType is missing' };

  switch (type) {
    case 'conversation.newMessage': {
      if (event.messageType !== 'MESSAGE') {
        // COMMENT (internal note) and WELCOME_MESSAGE never need an answer.
        return { kind: 'ignored', reason: `messageType ${describeValue(event.messageType)}` };
      }
      const parsed = newMessage.safeParse(event);
      if (!parsed.success) return { kind: 'invalid', reason: describe(parsed.error) };
      const { portalId, objectId, occurredAt, attemptNumber, messageId } = parsed.data;
      const data = {
        portalId,
        threadId: objectId,
        messageId,
        occurredAt,
        attemptNumber,
        auditPath: auditPath(objectId),
      };
      return { kind: 'job', job: { name: JobName.MessageReceived, data, jobId: messageJobId(data) } };
    }
    case 'conversation.creation': {
      const parsed = envelope.safeParse(event);
      if (!parsed.success) return { kind: 'invalid', reason: describe(parsed.error) };
      const { portalId, objectId, occurredAt, attemptNumber } = parsed.data;
      const data = { portalId, threadId: objectId, occurredAt, attemptNumber, auditPath: auditPath(objectId) };
      return { kind: 'job', job: { name: JobName.ThreadOpened, data, jobId: threadOpenedJobId(data) } };
    }
    case 'conversation.propertyChange': {
      const propertyName = event.propertyName;
      if (typeof propertyName !== 'string' || !TRACKED.has(propertyName)) {
        return { kind: 'ignored', reason: `propertyName ${describeValue(propertyName)}` };
      }
      const parsed = propertyChange.safeParse(event);
      if (!parsed.success) return { kind: 'invalid', reason: describe(parsed.error) };
      const { portalId, objectId, occurredAt, attemptNumber, propertyValue } = parsed.data;
      const data = {
        portalId,
        threadId: objectId,
        occurredAt,
        attemptNumber,
        propertyName: propertyName as (typeof TRACKED_THREAD_PROPERTIES)[number],
        propertyValue,
        auditPath: auditPath(objectId),
      };
      return { kind: 'job', job: { name: JobName.ThreadChanged, data, jobId: threadChangedJobId(data) } };
    }
    default:
      return { kind: 'ignored', reason: `subscriptionType ${type}` };
  }
}
