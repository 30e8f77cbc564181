import { Injectable, Logger } from '@nestjs/common';
import { JobName, type MessageReceivedJob } from '@app/contracts';
import { MessageTurnService } from '../../turns/message-turn.service';
import { HandlesJob, type JobHandler } from '../job-handler';
import type { JobLease } from '../job-lease';

/** How long a message of a busy thread waits before it looks again. */
const BUSY_DELAY_MS = 750;

/** message.received: one visitor message → one turn → exactly one answer. */
@Injectable()
@HandlesJob(JobName.MessageReceived)
export class MessageReceivedHandler implements JobHandler<typeof JobName.MessageReceived> {
  private readonly logger = new Logger(MessageReceivedHandler.name);

  constructor(private readonly turns: MessageTurnService) {}

  async handle(data: MessageReceivedJob, lease: JobLease): Promise<unknown> {
    const outcome = await this.turns.handle(data, lease.jobId, this.attempt(lease));
    // Another turn of this thread runs (or an earlier message waits): wait, don't fail.
    if (outcome.status === 'busy') throw await lease.delay(BUSY_DELAY_MS);
    this.logger.log({ jobId: lease.jobId, threadId: data.threadId, ...outcome }, 'message handled');
    return outcome;
  }

  /** The last attempt failed: the visitor is told once that a colleague will follow up. */
  async onGiveUp(data: MessageReceivedJob, lease: JobLease): Promise<void> {
    await this.turns.sendFallback(data, lease.jobId, this.attempt(lease));
  }

  private attempt(lease: JobLease) {
    return { jobId: lease.jobId, attempt: lease.attempt, lock: lease.lock };
  }
}
