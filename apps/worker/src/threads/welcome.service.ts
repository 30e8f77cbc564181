import { Injectable } from '@nestjs/common';
import type { ThreadOpenedJob } from '@app/contracts';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import { HubSpotConversations } from '../hubspot/hubspot-conversations.service';
import { HubSpotReply } from '../hubspot/hubspot-reply.service';
import { toPlainText } from '../hubspot/markdown-reply';
import { TurnProgressStore } from '../state/turn-progress.store';
import type { HubSpotMessage } from '../hubspot/hubspot.types';
import { LANGUAGES } from '../profiles/language';
import { ThreadContext, type ResolvedThread } from './thread-context.service';
import { ThreadStateStore } from './thread-state.store';
import { VisitorLanguage, threadLanguage } from './visitor-language';

const POSTING = 'posting';

const fromVisitor = (m: HubSpotMessage) =>
  m.type === 'MESSAGE' && m.direction === 'INCOMING' && Boolean(m.senders?.[0]?.actorId?.startsWith('V-'));

/**
 * Chat opened → the profile's welcome text with its quick-reply buttons, once per thread, in the
 * language of the visitor's first message (which becomes the thread's language).
 */
@Injectable()
export class WelcomeService {
  constructor(
    private readonly threadContext: ThreadContext,
    private readonly threadState: ThreadStateStore,
    private readonly conversations: HubSpotConversations,
    private readonly reply: HubSpotReply,
    private readonly progressStore: TurnProgressStore,
    private readonly language: VisitorLanguage,
  ) {}

  async welcome(job: ThreadOpenedJob): Promise<{ status: string; reason?: string; messageId?: string }> {
    const ref = { portalId: job.portalId, threadId: job.threadId };
    const thread = await this.threadContext.resolve(ref);
    const { profile, state, isStaff, email } = thread;
    if (state.handedOff) return { status: 'skipped', reason: 'handed off to a human' };
    if (state.welcomedWith && state.welcomedWith !== POSTING) return { status: 'skipped', reason: 'already welcomed' };
    // Buttons are no grant (a tap still meets the staff gate): shown to whoever claims a staff address.
    const looksLikeStaff = isStaff || (email !== undefined && this.threadContext.isStaffAddress(email));
    if (profile.staffOnly && !looksLikeStaff) return { status: 'skipped', reason: 'not staff: no welcome buttons' };

    // A reply copies the visitor's channel and delivery identifier from one of their messages.
    const messages = await this.conversations.listMessages(job.threadId, 20);
    const channel = messages.find((m) => m.direction === 'INCOMING' && m.channelId)?.channelId;
    if (!this.threadContext.answersChannel(profile, channel)) {
      return { status: 'skipped', reason: `channel ${channel} is not answered` };
    }
    if (state.welcomedWith === POSTING) {
      // A previous attempt may have posted before it crashed: look before posting again (in any
      // language: the thread's may have changed since).
      const stored = new Set(LANGUAGES.map((l) => toPlainText(profile.welcome[l].text))); // as HubSpot keeps it
      const posted = messages.find((m) => m.direction === 'OUTGOING' && stored.has(m.text ?? ''));
      if (posted) {
        await this.threadState.set(ref, { welcomedWith: posted.id });
        return { status: 'welcomed', messageId: posted.id };
      }
    } else if (!(await this.threadState.setOnce(ref, 'welcomedWith', POSTING))) {
      return { status: 'skipped', reason: 'already welcomed' };
    }
    const incoming = messages.find(fromVisitor);
    if (!incoming) {
      await this.threadState.unset(ref, 'welcomedWith');
      return { status: 'skipped', reason: 'no visitor message to reply to' };
    }
    const { text, quickReplies } = profile.welcome[await this.languageFor(ref, thread, messages)];
    const id = await this.reply.send(
      job.threadId,
      incoming,
      text,
      quickReplies.map(({ label, value, valueType }) => ({ label, value, valueType })),
    );
    await this.progressStore.markOwnMessage(job, id);
    await this.threadState.set(ref, { welcomedWith: id });
    return { status: 'welcomed', messageId: id };
  }

  /**
   * The first of the visitor's messages (oldest first) that shows a language; stored as the thread's
   * unless a turn stored one already. None does ("hi", "ok"): the thread's (hs_language, profile, en).
   */
  private async languageFor(ref: ThreadRef, thread: ResolvedThread, messages: HubSpotMessage[]) {
    const visitor = messages.filter(fromVisitor).reverse();
    const detected = visitor.map((m) => this.language.detect(m.text ?? '')).find(Boolean);
    if (!detected) return threadLanguage(thread);
    if (!thread.state.language) await this.threadState.setOnce(ref, 'language', detected);
    return detected;
  }
}
