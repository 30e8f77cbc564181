import { Injectable, Logger } from '@nestjs/common';
import type { ThreadChangedJob } from '@app/contracts';
import { HubSpotConfig } from '../config/config-sections';
import { WorkerMetrics } from '../metrics/worker-metrics.service';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import { IDENTITY_FIELDS } from './identity-level';
import { ThreadStateStore } from './thread-state.store';

/**
 * A thread handed to a human gets no AI reply until it is closed. Triggers: the
 * hand_off_to_human tool, a visitor asking for a person, a failed turn, or HubSpot assigning the
 * thread to someone other than the bot.
 */
@Injectable()
export class HandoffService {
  private readonly logger = new Logger(HandoffService.name);

  constructor(
    private readonly threadState: ThreadStateStore,
    private readonly hubspot: HubSpotConfig,
    private readonly metrics: WorkerMetrics,
  ) {}

  /** Marks the thread handed off; true when this call did it (the first trigger wins). */
  async handOff(ref: ThreadRef, reason: string): Promise<boolean> {
    const first = await this.threadState.setOnce(ref, 'handedOff', reason.slice(0, 200));
    if (first) {
      this.logger.log({ threadId: ref.threadId, reason }, 'thread handed off to a human');
      this.metrics.countHandoff(reason);
    }
    return first;
  }

  /** HubSpot told us about an assignment or a status change of the thread. */
  async onThreadChanged(job: ThreadChangedJob): Promise<{ status: string; reason: string }> {
    const ref = { portalId: job.portalId, threadId: job.threadId };
    if (job.propertyName === 'status' && job.propertyValue === 'CLOSED') {
      // A reopened chat starts fresh: the bot answers again, and who the visitor is must be shown
      // again (a contact bound or an address verified in this chat ends with it). Dropping the
      // profile makes the next turn read the thread's association anew.
      await this.threadState.unset(ref, 'handedOff', 'welcomedWith', 'profile', ...IDENTITY_FIELDS);
      return { status: 'updated', reason: 'thread closed: handoff and identity cleared' };
    }
    if (job.propertyName === 'assignedTo' && job.propertyValue && job.propertyValue !== this.hubspot.botActorId) {
      await this.handOff(ref, `assigned to ${job.propertyValue}`);
      return { status: 'updated', reason: 'assigned to a human: bot silenced' };
    }
    return { status: 'skipped', reason: `${job.propertyName}=${job.propertyValue || '(none)'} needs no action` };
  }
}
