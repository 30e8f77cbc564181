import { Inject, Injectable, Logger } from '@nestjs/common';
import { RateBudgetExhaustedError } from '../../budgets/rate-budget.service';
import { CHAT_CHANNEL, type ChannelMessage, type ChatChannel } from '../../channel/chat-channel';
import { HandoffConfig } from '../../config/config-sections';
import { UpstreamError } from '../../errors/upstream.error';
import { asLanguage, type Language } from '../../profiles/language';
import { buildHandoffNote, noteMarker } from '../../threads/handoff-note';
import { ThreadStateStore, type ThreadState } from '../../threads/thread-state.store';
import type { TurnContext } from '../turn-context';

const POSTING = 'posting';

/**
 * After the visitor read the handoff text: an internal note for the agents, then the assignment
 * (HANDOFF_ASSIGNEE_ACTOR_ID), so the agent finds the note when notified. Only the turn that
 * handed the thread off does this, once: each effect is marked in the turn's progress before its
 * call, and a retry that finds the mark looks in HubSpot (the note by its marker, the thread's
 * assignee) before calling again. A permanent refusal (a missing scope, an unknown agent) is
 * logged and recorded, not retried: the visitor already has the answer.
 */
@Injectable()
export class HandoffFollowUpStep {
  private readonly logger = new Logger(HandoffFollowUpStep.name);

  constructor(
    @Inject(CHAT_CHANNEL) private readonly channel: ChatChannel,
    private readonly threadState: ThreadStateStore,
    private readonly config: HandoffConfig,
  ) {}

  async run(turn: TurnContext, message: ChannelMessage, language?: Language): Promise<void> {
    const { progress: p, ref, job } = turn;
    if (!p.handoffReason && !p.handoffStayed) return;
    const assignee = p.handoffStayed ? undefined : this.config.assigneeActorId;
    const noteDone = p.handoffNote !== undefined && p.handoffNote !== POSTING;
    if (noteDone && (!assignee || p.handoffAssign === 'done' || p.handoffAssign === 'failed')) return;
    const state = await this.threadState.get(ref);
    // Another trigger (an assignment, an agent) got there first: a person is already on it.
    if (!p.handoffStayed && !(state.handedOff !== undefined && state.handoffBy === job.messageId)) return;
    if (!noteDone) await this.postNote(turn, this.noteText(turn, message, state, language));
    if (assignee) await this.assign(turn, assignee);
  }

  private async postNote(turn: TurnContext, text: string): Promise<void> {
    const { progress: p, ref, job } = turn;
    if (p.handoffNote === POSTING) {
      const found = await this.channel.findNote(ref.threadId, noteMarker(job.messageId));
      if (found) {
        p.handoffNote = found;
        return turn.save();
      }
    }
    p.handoffNote = POSTING;
    await turn.save();
    try {
      p.handoffNote = await this.channel.note(ref.threadId, text);
    } catch (err) {
      // Nothing was stored when HubSpot answered or the request never left; only a timeout leaves it unknown.
      if ((err instanceof UpstreamError && err.status !== undefined) || err instanceof RateBudgetExhaustedError) {
        p.handoffNote = undefined;
      }
      if (!permanent(err)) throw err;
      p.handoffNote = 'failed';
      this.refused(turn, 'handoff note', err);
    }
    await turn.save();
  }

  private async assign(turn: TurnContext, assignee: string): Promise<void> {
    const { progress: p, ref } = turn;
    if (p.handoffAssign === 'done' || p.handoffAssign === 'failed') return;
    if (p.handoffAssign === 'assigning' && (await this.channel.isAssignedTo(ref.threadId, assignee))) {
      p.handoffAssign = 'done';
      return turn.save();
    }
    p.handoffAssign = 'assigning';
    await turn.save();
    try {
      await this.channel.assign(ref.threadId, assignee);
      p.handoffAssign = 'done';
    } catch (err) {
      if (!permanent(err)) throw err;
      p.handoffAssign = 'failed';
      this.refused(turn, 'assignment', err);
    }
    await turn.save();
  }

  private noteText(turn: TurnContext, message: ChannelMessage, state: ThreadState, language?: Language): string {
    const p = turn.progress;
    return buildHandoffNote({
      messageId: turn.job.messageId,
      reason: p.handoffStayed ?? p.handoffReason ?? '',
      detail: p.handoffStayed ? undefined : state.handedOff,
      closedUntil: p.handoffClosedUntil,
      stayed: p.handoffStayed !== undefined,
      language: language ?? asLanguage(state.language) ?? 'en',
      contactId: state.contactId,
      email: state.verifiedEmail ?? state.email ?? message.senderEmail,
      visitorText: message.text,
      attachments: message.attachments,
      toolCalls: p.toolCalls,
      toolOutputs: Object.values(p.toolOutputs),
    });
  }

  private refused(turn: TurnContext, what: string, err: unknown): void {
    const reason = `${what} refused: ${(err as Error).message}`.slice(0, 300);
    this.logger.warn({ threadId: turn.ref.threadId, err: (err as Error).message }, `${what} refused by HubSpot`);
    turn.progress.errors.push(reason);
  }
}

/** HubSpot refused for good (4xx other than a limit): retrying will not change it. */
const permanent = (err: unknown) => err instanceof UpstreamError && err.status !== undefined && !err.retryable;
