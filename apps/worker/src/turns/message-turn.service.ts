import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MessageReceivedJob } from '@app/contracts';
import type { TurnOutcomeKind } from '@app/audit';
import { FALLBACK_ANSWER } from '../engines/answer-texts';
import { ASSISTANT_ENGINE, type AssistantEngine } from '../engines/assistant-engine';
import { DAILY_TOKEN_CAP } from '../engines/spend-guard.service';
import { IdentityGate, threadLanguage } from '../identity/identity-gate.service';
import { IDENTITY_TEXTS } from '../identity/identity-texts';
import { TurnAudit, type TurnAttempt } from '../audit/turn-audit.service';
import { WorkerConfig } from '../config/worker-config';
import { HubSpotConversations } from '../hubspot/hubspot-conversations.service';
import { HubSpotReply } from '../hubspot/hubspot-reply.service';
import type { HubSpotMessage } from '../hubspot/hubspot.types';
import { splitReply } from '../hubspot/reply-formatter';
import { RateBudgetExhaustedError } from '../budgets/rate-budget.service';
import { UpstreamError } from '../errors/upstream.error';
import { screenAnswer } from '../assistant/instructions-leak.guard';
import { HAND_OFF_TOOL } from '../tools/hand-off-to-human.tool';
import { HandoffService } from '../threads/handoff.service';
import { ThreadContext, type ResolvedThread } from '../threads/thread-context.service';
import { ThreadStateStore } from '../threads/thread-state.store';
import { checkRole } from './role-check';
import { ThreadTurnLock } from './thread-turn-lock.service';
import { JobLockLostError, TurnProgressStore, type TurnProgress } from '../state/turn-progress.store';

/** How long a reply post with an unknown outcome gets to land before we post it again. */
const REPLY_SETTLE_MS = 3000;

export type TurnOutcome =
  | { status: 'answered'; replyMessageIds: string[]; fallback: boolean; responseIds: string[]; tokens: number }
  | { status: 'skipped'; reason: string }
  | { status: 'busy' };

/**
 * One visitor message → exactly one answer in the same thread. Steps: skip our own messages,
 * read the message, role check, take the thread's turn, resolve the conversation, run the
 * assistant, post the reply. Progress is recorded so a retry resumes instead of repeating.
 */
@Injectable()
export class MessageTurnService {
  private readonly logger = new Logger(MessageTurnService.name);

  constructor(
    private readonly conversations: HubSpotConversations,
    private readonly reply: HubSpotReply,
    @Inject(ASSISTANT_ENGINE) private readonly engine: AssistantEngine,
    private readonly lock: ThreadTurnLock,
    private readonly progressStore: TurnProgressStore,
    private readonly threadState: ThreadStateStore,
    private readonly threadContext: ThreadContext,
    private readonly handoff: HandoffService,
    private readonly audit: TurnAudit,
    private readonly identityGate: IdentityGate,
    private readonly config: WorkerConfig,
  ) {}

  async handle(job: MessageReceivedJob, holder: string, attempt = firstAttempt(holder)): Promise<TurnOutcome> {
    const { portalId, threadId, messageId } = job;
    const ref = { portalId, threadId };
    const { own, progress } = await this.progressStore.loadForMessage(portalId, messageId);
    // Our own replies come back as webhooks: recognised by id, without spending a HubSpot read.
    if (own) return { status: 'skipped', reason: 'own reply' };
    if (progress.done) {
      // A crash after recording the answer but before leaving the line must not block the thread.
      await this.lock.finish({ portalId, threadId }, messageId, holder);
      return { status: 'skipped', reason: 'already answered' };
    }

    // The thread's turn first, in the order HubSpot saw the messages, before any HubSpot call: a
    // message that must wait spends no request (under a tight budget, re-reads would starve the
    // portal), and a message whose read waits for budget cannot be overtaken by a later one.
    // The lock outlives the slowest turn: no model call starts after the turn timeout, and one may run that long.
    const lockTtl = this.config.queue.turnTimeoutMs + this.config.openai.timeoutMs + 30_000;
    if (!(await this.lock.acquire(ref, messageId, job.occurredAt, holder, lockTtl))) return { status: 'busy' };
    progress.startedAt ??= Date.now();
    const save = this.saver(job, attempt, progress);
    try {
      const message = await this.conversations.getMessage(threadId, messageId);
      const role = checkRole(message);
      if (!role.answer) {
        await this.lock.finish(ref, messageId, holder);
        return { status: 'skipped', reason: role.reason };
      }
      const messageTime = Date.parse(message.createdAt ?? '') || job.occurredAt;
      // Read under the lock: the thread's previous turn may have changed it (contact, handoff).
      const thread = await this.threadContext.resolve(ref, message);
      progress.profile = thread.profile.name;
      progress.identity ??= thread.identity;
      if (thread.state.handedOff && !progress.answer) {
        await this.lock.finish(ref, messageId, holder);
        const reason = 'handed off to a human';
        progress.done = true;
        await this.recordEnd(job, attempt, progress, { outcome: 'skipped', reason, messageAt: messageTime });
        return { status: 'skipped', reason };
      }
      await this.answer(job, message, thread, progress, save);
      progress.done = true;
      await this.recordEnd(job, attempt, progress, { ...endOf(progress), messageAt: messageTime });
    } catch (err) {
      // Another run owns the job (and, with the same holder, the thread's turn) now: touch nothing.
      if (err instanceof JobLockLostError) throw err;
      // Keep our place in line: the retry must still come before later messages of the thread.
      await this.lock.unlock(ref, holder);
      if (!(err instanceof RateBudgetExhaustedError)) {
        progress.errors.push(`attempt ${attempt.attempt}: ${(err as Error).message}`.slice(0, 300));
        await save().catch(() => undefined);
      }
      throw err;
    }
    await this.lock.finish(ref, messageId, holder);
    return {
      status: 'answered',
      replyMessageIds: progress.replyMessageIds,
      fallback: progress.fallbackReason !== undefined,
      responseIds: progress.responseIds,
      tokens: progress.usage.inputTokens + progress.usage.outputTokens,
    };
  }

  /**
   * After the last attempt failed: tell the visitor once that a colleague will follow up.
   * Best effort; the failed job stays in Bull Board either way.
   */
  async sendFallback(job: MessageReceivedJob, holder: string, attempt = firstAttempt(holder)): Promise<void> {
    const { portalId, threadId, messageId } = job;
    const progress = await this.progressStore.load(portalId, messageId);
    if (progress.done || progress.replyMessageIds.length > 0) return;
    let messageAt: number | undefined;
    try {
      const message = await this.conversations.getMessage(threadId, messageId);
      if (!checkRole(message).answer) return;
      messageAt = Date.parse(message.createdAt ?? '') || job.occurredAt;
      const save = this.saver(job, attempt, progress);
      progress.answer = FALLBACK_ANSWER;
      progress.fallbackReason ??= 'turn failed';
      progress.replyParts = [FALLBACK_ANSWER];
      // "A colleague will follow up" must be true: the thread goes to a human.
      await this.handoff.handOff({ portalId, threadId }, 'a turn failed');
      progress.handoffReason = 'a turn failed';
      await this.postReply(job, message, progress, save);
      progress.done = true;
      await this.recordEnd(job, attempt, progress, { outcome: 'fallback', reason: progress.fallbackReason, messageAt });
    } catch (err) {
      if (err instanceof JobLockLostError) throw err;
      // Not even the fallback reached the visitor: the audit says so; the job stays failed.
      const reason = `fallback not posted: ${(err as Error).message}`.slice(0, 300);
      await this.recordEnd(job, attempt, progress, { outcome: 'failed', reason, messageAt }).catch(() => undefined);
      throw err;
    } finally {
      await this.lock.finish({ portalId, threadId }, messageId, holder);
    }
  }

  /** Writes the turn's audit record once and persists the progress that says so. */
  private async recordEnd(
    job: MessageReceivedJob,
    attempt: TurnAttempt,
    progress: TurnProgress,
    end: { outcome: TurnOutcomeKind; reason?: string; messageAt?: number },
  ): Promise<void> {
    if (!progress.audited) {
      await this.audit.write(this.audit.build(job, attempt, progress, { ...end, profile: progress.profile }));
      progress.audited = true;
    }
    await this.saver(job, attempt, progress)();
  }

  /** Saves `progress` (optionally marking a posted message as ours) while this run owns the job. */
  private saver(job: MessageReceivedJob, attempt: TurnAttempt, progress: TurnProgress) {
    return (ownMessageId?: string) =>
      this.progressStore.save(job.portalId, job.messageId, progress, { lock: attempt.lock, ownMessageId });
  }

  private async answer(
    job: MessageReceivedJob,
    message: HubSpotMessage,
    thread: ResolvedThread,
    progress: TurnProgress,
    save: () => Promise<void>,
  ): Promise<void> {
    if (progress.answer === undefined) {
      const text = message.text ?? '';
      const direct = await this.answerWithoutModel(job, message, thread, text, progress, save);
      if (direct === null) {
        progress.answer = '';
        progress.replyParts = []; // limited: stay silent
      } else if (direct !== undefined) progress.answer = direct;
      else await this.runAssistant(job, message, thread, progress, save);
    }
    if (progress.fallbackReason) {
      this.logger.warn({ threadId: job.threadId, reason: progress.fallbackReason }, 'answering with the fallback text');
    }
    // Saved together with the first part's in-flight mark (postReply), before the post.
    progress.replyParts ??= splitReply(progress.answer ?? FALLBACK_ANSWER, this.config.hubspot.replyMaxChars);
    await this.postReply(job, message, progress, save);
  }

  /**
   * Deterministic answers that need no model: asking for a person, the per-visitor limits, identity
   * (a typed code, the staff gate), a button tap. `null`: post nothing (a limited visitor, told once).
   */
  private async answerWithoutModel(
    job: MessageReceivedJob,
    message: HubSpotMessage,
    thread: ResolvedThread,
    text: string,
    progress: TurnProgress,
    save: () => Promise<void>,
  ): Promise<string | null | undefined> {
    const ref = { portalId: job.portalId, threadId: job.threadId };
    const { profile } = thread;
    const normalized = text.trim().toLowerCase();
    if (profile.handoffPhrases.some((phrase) => normalized.includes(phrase.toLowerCase()))) {
      progress.handoffReason = 'the visitor asked for a person';
      await this.handoff.handOff(ref, progress.handoffReason);
      return this.handoff.message;
    }
    if (!progress.visitorCounted) {
      const limited = await this.identityGate.visitorLimit(ref, visitorOf(message, job));
      progress.visitorLimited = limited?.limit;
      progress.visitorCounted = true;
      await save();
      if (limited) return limited.notice ? IDENTITY_TEXTS[threadLanguage(thread)].visitorLimit : null;
    }
    const gated = await this.identityGate.answer(ref, thread, text);
    if (gated) {
      if (gated.verified) progress.identity = 'verified';
      if (gated.recordAs) await this.recordExchange(job, progress, save, gated.recordAs, gated.text);
      return gated.text;
    }
    const tapped = profile.welcome.quickReplies.find(
      (q) => q.label.toLowerCase() === normalized || q.value.toLowerCase() === normalized,
    );
    if (!tapped) return undefined;
    // Record the tap and the confirmation in the conversation so the model continues the flow.
    await this.recordExchange(job, progress, save, text, tapped.confirmation);
    return tapped.confirmation;
  }

  /** Adds a visitor line and our answer to the thread's history without a model call. */
  private async recordExchange(
    job: MessageReceivedJob,
    progress: TurnProgress,
    save: () => Promise<void>,
    userText: string,
    answer: string,
  ): Promise<void> {
    await this.engine.record({ portalId: job.portalId, threadId: job.threadId, progress, save }, userText, answer);
  }

  private async runAssistant(
    job: MessageReceivedJob,
    message: HubSpotMessage,
    thread: ResolvedThread,
    progress: TurnProgress,
    save: () => Promise<void>,
  ): Promise<void> {
    const ref = { portalId: job.portalId, threadId: job.threadId };
    const sender = message.senders?.[0];
    const visitor = {
      actorId: sender?.actorId,
      contactId: thread.state.contactId,
      email: thread.email,
      identity: thread.identity,
      verifiedEmail: thread.state.verifiedEmail,
    };
    const language = threadLanguage(thread);
    await this.engine.run({
      ctx: {
        portalId: job.portalId,
        threadId: job.threadId,
        messageId: job.messageId,
        profile: thread.profile.name,
        scope: thread.profile.scope === 'staff' && thread.isStaff ? 'staff' : 'visitor',
        visitor,
        bindVisitorContact: (contactId) => this.threadState.set(ref, { contactId }),
        // A retry of this message may take it again (its first try may have died before creating).
        claimContactCreate: async () =>
          (await this.threadState.setOnce(ref, 'contactCreateUsed', job.messageId)) ||
          (await this.threadState.get(ref)).contactCreateUsed === job.messageId,
        setLanguage: (lang) => this.threadState.set(ref, { language: lang }),
      },
      language,
      profile: thread.profile,
      userText: message.text ?? '',
      visitorId: sender?.actorId ?? job.threadId,
      progress,
      save,
      deadline: Date.now() + this.config.queue.turnTimeoutMs,
    });
    progress.identity = visitor.identity;
    if (progress.capReason === DAILY_TOKEN_CAP) {
      // Shared by every visitor: the bot says so and stays on; the visitor may still ask for a person.
    } else if (progress.capReason) {
      // Spending stops here: a person takes the conversation over (CAP_MESSAGE says so).
      progress.handoffReason = `cost cap: ${progress.capReason}`;
      await this.handoff.handOff(ref, progress.handoffReason);
    } else if (progress.toolsSucceeded.includes(HAND_OFF_TOOL)) {
      // The model handed the chat to a person during this turn: say so, whatever else it wrote.
      progress.handoffReason ??= 'the model handed off';
      progress.answer = this.handoff.message;
    } else if (progress.answer !== undefined && !progress.fallbackReason) {
      // Chat text is untrusted: a model talked into quoting its instructions does not get to post them.
      const screened = screenAnswer(progress.answer, thread.profile.instructions);
      if (screened.leaked) {
        this.logger.warn({ threadId: job.threadId, spanWords: screened.spanWords }, 'answer quoted the instructions');
        progress.answer = screened.text;
        progress.screenedReason = `quoted ${screened.spanWords} words of the instructions`;
      }
    }
    if (progress.paidToolsPaused && progress.answer !== undefined && !progress.fallbackReason) {
      progress.answer = `${progress.answer}\n\n${IDENTITY_TEXTS[language].paidToolsPaused}`;
    }
  }

  /** Posts each reply part once: a part whose post was interrupted is looked up before re-posting. */
  private async postReply(
    job: MessageReceivedJob,
    message: HubSpotMessage,
    progress: TurnProgress,
    save: (ownMessageId?: string) => Promise<void>,
  ): Promise<void> {
    const parts = progress.replyParts ?? [];
    for (let i = progress.replyMessageIds.length; i < parts.length; i++) {
      if (progress.replyInFlight === i) {
        const posted = await this.findPosted(job.threadId, parts[i], message);
        if (posted) {
          progress.replyMessageIds.push(posted);
          progress.replyInFlight = undefined;
          // Marked as ours too, so its webhook is skipped unread like any reply we posted.
          await save(posted);
          continue;
        }
        // A post that timed out may still land: look once more after a pause before re-posting.
        if (progress.replyLookedUpAt === undefined) {
          progress.replyLookedUpAt = Date.now();
          await save();
          throw new UpstreamError(
            'hubspot',
            'reply outcome unknown; checking the thread again',
            true,
            undefined,
            REPLY_SETTLE_MS,
          );
        }
      }
      progress.replyInFlight = i;
      await save();
      let id: string;
      try {
        id = await this.reply.send(job.threadId, message, parts[i]);
      } catch (err) {
        // HubSpot answered with an error, or the request never left (no budget): nothing was
        // stored. Only a timeout leaves it unknown.
        if ((err instanceof UpstreamError && err.status !== undefined) || err instanceof RateBudgetExhaustedError) {
          progress.replyInFlight = undefined;
          await save();
        }
        throw err;
      }
      progress.replyMessageIds.push(id);
      progress.replyInFlight = undefined;
      await save(id);
    }
  }

  /** Rare path (after a crash mid-post): did HubSpot already store this part? */
  private async findPosted(threadId: string, text: string, incoming: HubSpotMessage): Promise<string | undefined> {
    const since = Date.parse(incoming.createdAt ?? '') || 0;
    const recent = await this.conversations.listMessages(threadId, 50);
    const match = recent.find(
      (m) =>
        m.direction === 'OUTGOING' &&
        m.text === text &&
        (m.senders?.[0]?.actorId === this.config.hubspot.botActorId || m.client?.clientType === 'INTEGRATION') &&
        (Date.parse(m.createdAt ?? '') || 0) >= since,
    );
    return match?.id;
  }
}

/** Without the queue's metadata (tests, direct calls) a turn counts as the job's first attempt. */
function firstAttempt(jobId: string): TurnAttempt {
  return { jobId, attempt: 1 };
}

/** The visitor's id for per-visitor limits: the sender actor (`V-…`), else the thread. */
function visitorOf(message: HubSpotMessage, job: MessageReceivedJob): string {
  return message.senders?.[0]?.actorId ?? `thread-${job.threadId}`;
}

/** How an answered turn reads in the audit. */
function endOf(progress: TurnProgress): { outcome: TurnOutcomeKind; reason?: string } {
  if (progress.visitorLimited) {
    const reason = `visitor limit: ${progress.visitorLimited}`;
    return { outcome: progress.replyParts?.length ? 'answered' : 'skipped', reason };
  }
  if (progress.capReason) return { outcome: 'capped', reason: progress.capReason };
  if (progress.fallbackReason) return { outcome: 'fallback', reason: progress.fallbackReason };
  if (progress.handoffReason) return { outcome: 'handoff', reason: progress.handoffReason };
  return { outcome: 'answered', reason: progress.screenedReason && `answer replaced: ${progress.screenedReason}` };
}
