import { Injectable, Logger } from '@nestjs/common';
import type { ThreadChangedJob } from '@app/contracts';
import { HandoffConfig, HubSpotConfig } from '../config/config-sections';
import { WorkerMetrics } from '../metrics/worker-metrics.service';
import { OutcomeSignalsStore } from '../outcomes/outcome-signals.store';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import { fillText, type FixedTexts } from '../profiles/fixed-texts';
import type { Language } from '../profiles/language';
import { isOpen, nextOpening } from './business-hours';
import { handoffCategoryOf, type HandoffCircumstances } from './handoff-category';
import { describeOpening } from './handoff-texts';
import { IDENTITY_FIELDS } from './identity-level';
import { ThreadStateStore } from './thread-state.store';

/** Who hands off when no visitor message's turn does (an assignment, an agent's message). */
export const EVENT_OWNER = 'event';

/**
 * What a handoff trigger leads to. Out of hours the visitor is told when a person answers; with
 * HANDOFF_OUTSIDE_HOURS=stay a trigger the bot can stay on for (the visitor asking, the model
 * deciding) does not hand off: the bot offers to take a message.
 */
export interface HandoffPlan {
  handOff: boolean;
  /** What the visitor reads. */
  text: string;
  /** Out of hours: when people answer again, in the visitor's language. */
  closedUntil?: string;
  /** Out of hours: the line added to a fixed text that hands off too (fallback, cost cap). */
  closedNote?: string;
}

/**
 * A thread handed to a human gets no AI reply until it is closed. Triggers: the hand_off_to_human
 * tool, a visitor asking for a person, a failed turn, a cost cap, HubSpot assigning the thread to
 * someone other than the bot, or an agent writing in the thread.
 */
@Injectable()
export class HandoffService {
  private readonly logger = new Logger(HandoffService.name);

  constructor(
    private readonly threadState: ThreadStateStore,
    private readonly handoff: HandoffConfig,
    private readonly hubspot: HubSpotConfig,
    private readonly metrics: WorkerMetrics,
    private readonly signals: OutcomeSignalsStore,
  ) {}

  /** Business hours now (always open without HANDOFF_BUSINESS_HOURS). */
  isOpen(): boolean {
    const hours = this.handoff.businessHours;
    return !hours || isOpen(hours, this.handoff.now());
  }

  /**
   * What a trigger does now: `texts` are the profile's in the visitor's `language` (the opening time
   * is written in it too); `canStay`: the bot may stay on out of hours.
   */
  plan(texts: FixedTexts, language: Language, canStay: boolean): HandoffPlan {
    const hours = this.handoff.businessHours;
    const now = this.handoff.now();
    if (!hours || isOpen(hours, now)) return { handOff: true, text: texts.handoff };
    const when = describeOpening(nextOpening(hours, now), language, hours.timeZone, now);
    const closed = { closedUntil: when, closedNote: fillText(texts.closedNote, { when }) };
    if (canStay && this.handoff.outsideHours === 'stay')
      return { handOff: false, text: fillText(texts.stayClosed, { when }), ...closed };
    return { handOff: true, text: fillText(texts.handoffClosed, { when }), ...closed };
  }

  /**
   * Out of hours with HANDOFF_OUTSIDE_HOURS=stay: when the team is back (in English, for the model);
   * undefined when a handoff may happen now.
   */
  stayOnUntil(): string | undefined {
    const hours = this.handoff.businessHours;
    const now = this.handoff.now();
    if (!hours || isOpen(hours, now) || this.handoff.outsideHours !== 'stay') return undefined;
    return describeOpening(nextOpening(hours, now), 'en', hours.timeZone, now);
  }

  /**
   * Marks the thread handed off; true when this call did it (the first trigger wins). `by` is the
   * visitor message whose turn hands off: it alone posts the note and assigns (ownedBy), retries too.
   */
  async handOff(
    ref: ThreadRef,
    reason: string,
    by: string = EVENT_OWNER,
    at: Pick<HandoffCircumstances, 'knowledgeGap'> = {},
  ): Promise<boolean> {
    const first = await this.threadState.claim(ref, 'handedOff', reason.slice(0, 200), 'handoffBy', by);
    if (first) {
      const category = handoffCategoryOf(reason, { ...at, closed: !this.isOpen() });
      this.logger.log({ threadId: ref.threadId, reason, category }, 'thread handed off to a human');
      this.metrics.countHandoff(category);
      await this.signals.onHandoff(ref, category);
    }
    return first;
  }

  /** Did the turn of this visitor message hand the thread off (this run or an earlier, crashed one)? */
  async ownedBy(ref: ThreadRef, messageId: string): Promise<boolean> {
    const state = await this.threadState.get(ref);
    return state.handedOff !== undefined && state.handoffBy === messageId;
  }

  /** A person wrote in the thread: the bot stays silent from now on, as after an assignment. */
  async onAgentMessage(ref: ThreadRef, actorId: string): Promise<void> {
    await this.handOff(ref, `agent replied: ${actorId}`);
  }

  /** HubSpot told us about an assignment or a status change of the thread. */
  async onThreadChanged(job: ThreadChangedJob): Promise<{ status: string; reason: string }> {
    const ref = { portalId: job.portalId, threadId: job.threadId };
    if (job.propertyName === 'status' && job.propertyValue === 'CLOSED') {
      // A reopened chat starts fresh: the bot answers again, and who the visitor is must be shown
      // again (a contact bound or an address verified in this chat ends with it). Dropping the
      // profile makes the next turn read the thread's association anew. After a handoff, the next
      // turn also tells the model so (the old conversation must not steer it into handing off).
      const { handedOff } = await this.threadState.get(ref);
      if (handedOff) await this.threadState.set(ref, { reopenedAfterHandoff: '1' });
      await this.threadState.unset(ref, 'handedOff', 'handoffBy', 'welcomedWith', 'profile', ...IDENTITY_FIELDS);
      return { status: 'updated', reason: 'thread closed: handoff and identity cleared' };
    }
    // HubSpot sends "A-123" or "123" (reference §8); an assignment to the bot itself is no takeover.
    if (job.propertyName === 'assignedTo' && job.propertyValue && !this.isBot(job.propertyValue)) {
      await this.handOff(ref, `assigned to ${job.propertyValue}`);
      return { status: 'updated', reason: 'assigned to a human: bot silenced' };
    }
    return { status: 'skipped', reason: `${job.propertyName}=${job.propertyValue || '(none)'} needs no action` };
  }

  /** The bot's own actor, written either way HubSpot writes actor ids. */
  isBot(actorId: string): boolean {
    return actorNumber(actorId) === actorNumber(this.hubspot.botActorId);
  }
}

/** "A-123" and "123" name the same agent. */
export const actorNumber = (actorId: string) => actorId.trim().replace(/^A-/i, '');
