import { Inject, Injectable, Logger } from '@nestjs/common';
import { screenAnswer } from '../../assistant/instructions-leak.guard';
import { QueueConfig } from '../../config/config-sections';
import { ASSISTANT_ENGINE, type AssistantEngine } from '../../engines/assistant-engine';
import { DAILY_TOKEN_CAP } from '../../engines/spend-guard.service';
import { textsFor, type FixedTexts } from '../../profiles/fixed-texts';
import type { Language } from '../../profiles/language';
import { HandoffService } from '../../threads/handoff.service';
import { ThreadStateStore } from '../../threads/thread-state.store';
import { threadLanguage } from '../../threads/visitor-language';
import type { ToolContext } from '../../tools/assistant-tool';
import { HAND_OFF_TOOL } from '../../tools/hand-off-to-human.tool';
import type { ReadyTurn } from '../turn-context';
import { KnowledgeAnswerStep } from './knowledge-answer.step';

/**
 * The model's turn: the engine runs the tool loop to an answer; then the outcome policy decides
 * what the visitor reads (a cap's text and handoff, the handoff text after the handoff tool, a
 * refusal instead of quoted instructions, a line when paid lookups are paused).
 */
@Injectable()
export class AssistantStep {
  private readonly logger = new Logger(AssistantStep.name);
  private readonly turnTimeoutMs: number;

  constructor(
    @Inject(ASSISTANT_ENGINE) private readonly engine: AssistantEngine,
    private readonly handoff: HandoffService,
    private readonly threadState: ThreadStateStore,
    private readonly knowledge: KnowledgeAnswerStep,
    queue: QueueConfig,
  ) {
    this.turnTimeoutMs = queue.turnTimeoutMs;
  }

  async run(turn: ReadyTurn): Promise<void> {
    const { progress, thread, message } = turn;
    const ctx = this.toolContext(turn);
    const language = threadLanguage(thread);
    // The turn's message and those answered together with it, each as the visitor wrote it.
    const lines = [message, ...turn.members].map((m) => ({
      messageId: m.id,
      text: withAttachments(m.text, m.attachments),
    }));
    // The first turn after a handed-off chat was closed and reopened: the old chat must not steer it.
    if (thread.state.reopenedAfterHandoff) lines[0].text = `${REOPENED_NOTE}\n\n${lines[0].text}`;
    await this.engine.run({
      ctx,
      language,
      profile: thread.profile,
      lines,
      visitorId: message.senderId ?? turn.ref.threadId,
      progress,
      save: () => turn.save(),
      deadline: Date.now() + this.turnTimeoutMs,
    });
    progress.identity = ctx.visitor.identity;
    // The visitor's message (with the note) is in the history now: later turns need no note.
    if (thread.state.reopenedAfterHandoff) await this.threadState.unset(turn.ref, 'reopenedAfterHandoff');
    const texts = textsFor(thread.profile, language);
    await this.applyOutcomePolicy(turn, texts, language);
    if (progress.paidToolsPaused && progress.answer !== undefined && !progress.fallbackReason) {
      progress.answer = `${progress.answer}\n\n${texts.paidToolsPaused}`;
    }
    // Last: the sources end the reply; a question without an answer in the documents becomes a gap.
    await this.knowledge.finish(turn, language);
  }

  private async applyOutcomePolicy(turn: ReadyTurn, texts: FixedTexts, language: Language): Promise<void> {
    const { progress, ref, thread, job } = turn;
    if (progress.capReason === DAILY_TOKEN_CAP) return; // shared by everyone: no handoff, the line says so
    if (progress.capReason) {
      // Spending stops here: a person takes the conversation over (the capReached text says so; out of hours, when).
      const plan = this.handoff.plan(texts, language, false);
      if (plan.closedNote) progress.answer = `${progress.answer} ${plan.closedNote}`;
      progress.handoffClosedUntil = plan.closedUntil;
      progress.handoffReason = `cost cap: ${progress.capReason}`;
      await this.handoff.handOff(ref, progress.handoffReason, job.messageId);
    } else if (progress.toolsSucceeded.includes(HAND_OFF_TOOL)) {
      // The model handed the chat to a person during this turn: say so, whatever else it wrote.
      const plan = this.handoff.plan(texts, language, false);
      progress.handoffReason ??= 'the model handed off';
      progress.handoffClosedUntil = plan.closedUntil;
      progress.answer = plan.text;
    } else if (progress.answer !== undefined && !progress.fallbackReason) {
      // Chat text is untrusted: a model talked into quoting its instructions does not get to post them.
      const screened = screenAnswer(progress.answer, thread.profile.instructions, texts.refusal);
      if (screened.leaked) {
        this.logger.warn({ threadId: ref.threadId, spanWords: screened.spanWords }, 'answer quoted the instructions');
        progress.answer = screened.text;
        progress.screenedReason = `quoted ${screened.spanWords} words of the instructions`;
      }
    }
  }

  /** Who the tools act for: set by our code from the thread's proved identity, never by the model. */
  private toolContext(turn: ReadyTurn): ToolContext {
    const { job, ref, thread, message } = turn;
    return {
      portalId: ref.portalId,
      threadId: ref.threadId,
      messageId: job.messageId,
      profile: thread.profile.name,
      scope: thread.profile.scope === 'staff' && thread.isStaff ? 'staff' : 'visitor',
      visitor: {
        actorId: message.senderId,
        contactId: thread.state.contactId,
        email: thread.email,
        identity: thread.identity,
        verifiedEmail: thread.state.verifiedEmail,
      },
      bindVisitorContact: (contactId) => this.threadState.set(ref, { contactId }),
      // A retry of this message may take it again (its first try may have died before creating).
      claimContactCreate: async () =>
        (await this.threadState.setOnce(ref, 'contactCreateUsed', job.messageId)) ||
        (await this.threadState.get(ref)).contactCreateUsed === job.messageId,
      setLanguage: (language) => this.threadState.set(ref, { language }),
      recordKnowledge: this.knowledge.recorder(turn.progress),
      knowledgeGap: () => {
        const k = turn.progress.knowledge;
        return !!k && k.searches > 0 && k.found.length === 0;
      },
    };
  }
}

/**
 * Prepended to the visitor's first message after a handed-off chat was closed and reopened: the
 * earlier messages (and the earlier handoff) stay in the history, but must not decide this answer.
 */
export const REOPENED_NOTE =
  '(Note from the system, not the visitor: the earlier part of this chat was handed to a colleague and then ' +
  'closed. The visitor is back with a new message. Answer it normally; hand off again only if this new ' +
  'message asks for a person or you cannot help with it.)';

/** The model is told what arrived besides the text (it cannot open it), never sent an empty text. */
function withAttachments(text: string, attachments: string[]): string {
  if (attachments.length === 0) return text;
  const note = `(The visitor also sent ${attachments.join('; ')}. You cannot open attachments.)`;
  return text.trim() ? `${text}\n\n${note}` : note;
}
