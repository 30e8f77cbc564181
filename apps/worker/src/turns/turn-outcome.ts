import type { TurnOutcomeKind } from '@app/audit';
import type { TurnProgress } from '../state/turn-progress.store';

/** How an answered turn reads in the audit. */
export function endOf(progress: TurnProgress): { outcome: TurnOutcomeKind; reason?: string } {
  if (progress.visitorLimited) {
    const reason = `visitor limit: ${progress.visitorLimited}`;
    return { outcome: progress.replyParts?.length ? 'answered' : 'skipped', reason };
  }
  if (progress.capReason) return { outcome: 'capped', reason: progress.capReason };
  if (progress.fallbackReason) return { outcome: 'fallback', reason: progress.fallbackReason };
  if (progress.handoffReason) return { outcome: 'handoff', reason: progress.handoffReason };
  return { outcome: 'answered', reason: progress.screenedReason && `answer replaced: ${progress.screenedReason}` };
}
