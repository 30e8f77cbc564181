import { Injectable } from '@nestjs/common';
import type { ThreadOpenedJob } from '@app/contracts';
import { HubSpotConversations } from '../hubspot/hubspot-conversations.service';
import { HubSpotReply } from '../hubspot/hubspot-reply.service';
import { toPlainText } from '../hubspot/markdown-reply';
import { TurnProgressStore } from '../state/turn-progress.store';
import { ThreadContext } from './thread-context.service';
import { ThreadStateStore } from './thread-state.store';

const POSTING = 'posting';

/** Chat opened → the profile's welcome text with its quick-reply buttons, once per thread. */
@Injectable()
export class WelcomeService {
  constructor(
    private readonly threadContext: ThreadContext,
    private readonly threadState: ThreadStateStore,
    private readonly conversations: HubSpotConversations,
    private readonly reply: HubSpotReply,
    private readonly progressStore: TurnProgressStore,
  ) {}

  async welcome(job: ThreadOpenedJob): Promise<{ status: string; reason?: string; messageId?: string }> {
    const ref = { portalId: job.portalId, threadId: job.threadId };
    const { profile, state, isStaff, email } = await this.threadContext.resolve(ref);
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
    const { text, quickReplies } = profile.welcome;
    if (state.welcomedWith === POSTING) {
      // A previous attempt may have posted before it crashed: look before posting again.
      const stored = toPlainText(text); // what HubSpot keeps as the posted message's text
      const posted = messages.find((m) => m.direction === 'OUTGOING' && m.text === stored);
      if (posted) {
        await this.threadState.set(ref, { welcomedWith: posted.id });
        return { status: 'welcomed', messageId: posted.id };
      }
    } else if (!(await this.threadState.setOnce(ref, 'welcomedWith', POSTING))) {
      return { status: 'skipped', reason: 'already welcomed' };
    }
    const incoming = messages.find(
      (m) => m.type === 'MESSAGE' && m.direction === 'INCOMING' && m.senders?.[0]?.actorId?.startsWith('V-'),
    );
    if (!incoming) {
      await this.threadState.unset(ref, 'welcomedWith');
      return { status: 'skipped', reason: 'no visitor message to reply to' };
    }
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
}
