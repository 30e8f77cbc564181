import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { HUBSPOT_EVENTS_QUEUE, messageJobId } from '@app/contracts';
import type { ThreadKeyRef } from '@app/redis';
import { ThreadTurnLock } from '../state/thread-turn-lock.service';

/**
 * When a thread's turn ends, the next message in its line starts at once: its job, waiting as a
 * delayed job since it found the thread busy, is promoted (one EVALSHA). A job that is not
 * waiting (not picked up yet, or running) is left alone: the promote is refused and ignored.
 */
@Injectable()
export class ThreadLineStarter implements OnModuleInit {
  constructor(
    private readonly lock: ThreadTurnLock,
    @InjectQueue(HUBSPOT_EVENTS_QUEUE) private readonly queue: Queue,
  ) {}

  onModuleInit(): void {
    this.lock.onNextInLine((ref, messageId) => this.start(ref, messageId));
  }

  private async start(ref: ThreadKeyRef, messageId: string): Promise<void> {
    await this.queue.backend.promote(messageJobId({ portalId: ref.portalId, messageId })).catch(() => undefined);
  }
}
