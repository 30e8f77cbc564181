import { SetMetadata } from '@nestjs/common';
import type { JobName, JobOf } from '@app/contracts';
import type { JobLease } from './job-lease';

/** The one class that handles a job name; the consumer refuses to start without one per name. */
export interface JobHandler<N extends JobName = JobName> {
  handle(data: JobOf<N>, lease: JobLease): Promise<unknown>;
  /** Once the job failed for good (a permanent error, or its last attempt): what, if anything, to still do. */
  onGiveUp?(data: JobOf<N>, lease: JobLease, err: Error): Promise<void>;
}

export const HANDLES_JOB = 'hubspot-events:handles-job';

/** Registers the decorated provider as the handler of `name` (one per job name). */
export const HandlesJob = (name: JobName): ClassDecorator => SetMetadata(HANDLES_JOB, name);
