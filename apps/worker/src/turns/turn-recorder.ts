import { Injectable } from '@nestjs/common';
import type { MessageReceivedJob } from '@app/contracts';
import { TurnAudit, type TurnAttempt, type TurnEnd as AuditEnd } from '../audit/turn-audit.service';
import { TurnProgressStore, type TurnProgress } from '../state/turn-progress.store';
import type { TurnContext } from './turn-context';

/** How a turn ended; its profile comes from the progress. */
export type TurnEnd = Omit<AuditEnd, 'profile'>;

/** A turn's context (with its guarded progress saver), and its one audit record at the end. */
@Injectable()
export class TurnRecorder {
  constructor(
    private readonly progressStore: TurnProgressStore,
    private readonly audit: TurnAudit,
  ) {}

  context(job: MessageReceivedJob, attempt: TurnAttempt, progress: TurnProgress): TurnContext {
    // Saved only while this run owns the job (attempt.lock); a posted message id is marked as ours.
    const save = (ownMessageId?: string) =>
      this.progressStore.save(job, job.messageId, progress, { lock: attempt.lock, ownMessageId });
    return { job, ref: { portalId: job.portalId, threadId: job.threadId }, attempt, progress, save };
  }

  /** Writes the turn's audit record once and persists the progress that says so. */
  async end(turn: TurnContext, end: TurnEnd): Promise<void> {
    const { job, attempt, progress } = turn;
    if (!progress.audited) {
      await this.audit.write(this.audit.build(job, attempt, progress, { ...end, profile: progress.profile }));
      progress.audited = true;
    }
    await turn.save();
  }
}
