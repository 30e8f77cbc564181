import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { JobSpec } from '@app/contracts';
import { classifyEvent } from '../webhooks/webhook-event.classifier';
import { JobEnqueuer } from './job-enqueuer.service';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  ignored: number;
  invalid: number;
}

/** Turns a verified webhook batch into queued jobs; every event of the batch is accounted for. */
@Injectable()
export class WebhookIngestService {
  constructor(
    private readonly enqueuer: JobEnqueuer,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(WebhookIngestService.name);
  }

  async ingest(events: unknown[]): Promise<IngestResult> {
    const result: IngestResult = { accepted: 0, duplicates: 0, ignored: 0, invalid: 0 };
    const jobs: JobSpec[] = [];
    events.forEach((event, index) => {
      const c = classifyEvent(event);
      if (c.kind === 'job') jobs.push(c.job);
      else if (c.kind === 'ignored') result.ignored++;
      else {
        result.invalid++;
        // Invalid events are acknowledged (HubSpot would redeliver the valid ones too) but logged.
        this.logger.warn({ index, reason: c.reason }, 'invalid webhook event');
      }
    });

    const stored = await this.enqueuer.enqueue(jobs);
    jobs.forEach((job, i) => {
      if (stored[i] === 'own') {
        // The webhook of a message we posted: nothing to answer, no job.
        result.ignored++;
        return;
      }
      if (stored[i] === 'duplicate') {
        result.duplicates++;
        return;
      }
      result.accepted++;
      const { portalId, threadId } = job.data;
      const messageId = 'messageId' in job.data ? job.data.messageId : undefined;
      this.logger.info({ job: job.name, jobId: job.jobId, portalId, threadId, messageId }, 'event accepted');
    });
    return result;
  }
}
