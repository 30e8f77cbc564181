import { createHash } from 'node:crypto';
import type { MessageReceivedJob, ThreadChangedJob, ThreadOpenedJob } from './jobs';

// Deterministic ids make BullMQ collapse HubSpot's redeliveries into the existing job.
// BullMQ rejects purely numeric custom ids and ids containing ':', hence the prefixes and '-'.

export function messageJobId(job: Pick<MessageReceivedJob, 'portalId' | 'messageId'>): string {
  return `msg-${job.portalId}-${job.messageId}`;
}

export function threadOpenedJobId(job: Pick<ThreadOpenedJob, 'portalId' | 'threadId'>): string {
  return `open-${job.portalId}-${job.threadId}`;
}

export function threadChangedJobId(
  job: Pick<ThreadChangedJob, 'portalId' | 'threadId' | 'propertyName' | 'propertyValue' | 'occurredAt'>,
): string {
  // The value is hashed: it is free text as far as job ids are concerned.
  const value = createHash('sha256').update(job.propertyValue).digest('hex').slice(0, 12);
  return `chg-${job.portalId}-${job.threadId}-${job.propertyName}-${job.occurredAt}-${value}`;
}
