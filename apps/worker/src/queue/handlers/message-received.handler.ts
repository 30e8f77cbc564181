import { Injectable, Logger } from '@nestjs/common';
import { JobName, type MessageReceivedJob } from '@app/contracts';
import { ThreadTurnLock } from '../../state/thread-turn-lock.service';
import { MessageTurnService } from '../../turns/message-turn.service';
import { HandlesJob, type JobHandler } from '../job-handler';
import type { JobLease } from '../job-lease';

/**
 * A message of a busy thread waits until the turn before it ends and starts it (ThreadTurnLock's
 * next in line). This long only if that start is lost (its worker died between the two): a turn
 * waiting for rate budget can hold its thread for minutes, and every earlier wake-up would be a
 * pickup for nothing (the thread's line drops a head stuck for 15 minutes).
 */
const WAIT_FOR_TURN_MS = 5 * 60_000;

/** message.received: one visitor message → one turn → exactly one answer. */
@Injectable()
@HandlesJob(JobName.MessageReceived)
export class MessageReceivedHandler implements JobHandler<typeof JobName.MessageReceived> {
  private readonly logger = new Logger(MessageReceivedHandler.name);

  constructor(
    private readonly turns: MessageTurnService,
    private readonly lock: ThreadTurnLock,
  ) {}

  async handle(data: MessageReceivedJob, lease: JobLease): Promise<unknown> {
    const outcome = await this.turns.handle(data, lease.jobId, this.attempt(lease));
    // Another turn of this thread runs (or an earlier message waits): wait for it, don't fail.
    if (outcome.status === 'busy') {
      const waiting = await lease.delay(WAIT_FOR_TURN_MS, 0);
      // The turn may have ended before this job was waiting, when nobody could start it: look once more.
      if (await this.lock.ready(data, data.messageId)) await lease.promote();
      throw waiting;
    }
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
