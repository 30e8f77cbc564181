import { Injectable, Logger } from '@nestjs/common';
import { IdentityConfig, ProfilesConfig } from '../config/config-sections';
import { UpstreamError } from '../errors/upstream.error';
import { HubSpotApiClient } from '../hubspot/hubspot-api.client';
import { HubSpotConversations } from '../hubspot/hubspot-conversations.service';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import { identityLevel, type IdentityLevel } from './identity-level';
import type { AssistantProfile } from '../profiles/assistant-profile';
import { asLanguage } from '../profiles/language';
import { ProfileRegistry } from '../profiles/profile-registry.service';
import { ThreadStateStore, type ThreadState } from './thread-state.store';

export interface ResolvedThread {
  profile: AssistantProfile;
  state: ThreadState;
  /** The visitor's e-mail: the CRM contact's, else the chat channel's delivery identifier. A claim only. */
  email?: string;
  identity: IdentityLevel;
  /** For staff-only profiles: an address on the staff list, verified in this thread within the grant. */
  isStaff: boolean;
}

/**
 * Facts about a thread that do not change: its profile (from the inbox), its contact and, for
 * staff-only profiles, the contact's e-mail. Read from HubSpot once per thread, then from Redis.
 */
@Injectable()
export class ThreadContext {
  private readonly logger = new Logger(ThreadContext.name);

  constructor(
    private readonly conversations: HubSpotConversations,
    private readonly api: HubSpotApiClient,
    private readonly profiles: ProfileRegistry,
    private readonly threadState: ThreadStateStore,
    private readonly identity: IdentityConfig,
    private readonly staff: ProfilesConfig,
  ) {}

  /**
   * `senderEmail`: an address the channel attaches to the message's sender (a claim);
   * `known`: the thread's state when the caller already read it (saves a round trip).
   */
  /** Does the thread's profile answer this HubSpot channel (ANSWER_CHANNELS, or the profile's own)? */
  answersChannel(profile: AssistantProfile, channelId: string | undefined): boolean {
    return this.profiles.answersChannel(profile, channelId);
  }

  async resolve(ref: ThreadRef, senderEmail?: string, known?: ThreadState): Promise<ResolvedThread> {
    let state = known ?? (await this.threadState.get(ref));
    if (!state.profile) {
      const thread = await this.conversations.getThread(ref.threadId);
      const profile = this.profiles.forInbox(thread.inboxId);
      const facts: Partial<Record<keyof ThreadState, string>> = { profile: profile.name };
      // HubSpot may associate a visitor id that is not a CRM contact yet: check once per thread.
      if (thread.associatedContactId && /^\d+$/.test(thread.associatedContactId)) {
        facts.contactPending = thread.associatedContactId;
      }
      // Recorded before the contact read: a wait for rate budget in between must not read the thread again.
      await this.threadState.set(ref, facts);
      state = { ...state, ...facts };
    }
    if (state.contactPending) {
      const contactId = state.contactPending;
      const contact = await this.crmContact(contactId);
      const facts: Partial<Record<keyof ThreadState, string>> = {};
      if (contact) {
        facts.contactId = contactId;
        if (contact.email) facts.email = contact.email;
        if (contact.language) facts.contactLanguage = contact.language;
      }
      if (Object.keys(facts).length > 0) await this.threadState.set(ref, facts);
      await this.threadState.unset(ref, 'contactPending');
      state = { ...state, ...facts, contactPending: undefined };
    }
    const profile = this.profiles.get(state.profile);
    const email = state.email ?? senderEmail;
    return { profile, state, email, identity: identityLevel(state, email), isStaff: this.isStaff(state) };
  }

  /**
   * Staff = an address on STAFF_EMAIL_DOMAINS / STAFF_EMAILS that this thread verified with a code,
   * within STAFF_VERIFICATION_HOURS. HubSpot's association (or a typed address) is only a claim.
   */
  isStaff(state: ThreadState, now = Date.now()): boolean {
    if (!state.verifiedEmail || !this.isStaffAddress(state.verifiedEmail)) return false;
    return now - Number(state.verifiedAt ?? 0) < this.identity.staffGrantSeconds * 1000;
  }

  isStaffAddress(email: string): boolean {
    const address = email.trim().toLowerCase();
    const domain = address.split('@')[1];
    const { staffEmailDomains, staffEmails } = this.staff;
    return Boolean(domain && staffEmailDomains.includes(domain)) || staffEmails.includes(address);
  }

  /**
   * The CRM contact's e-mail and language (hs_language, a locale like `ro` or `nl-be`, kept when
   * it is one of ours), or undefined when there is no such contact. Read once per thread.
   */
  private async crmContact(contactId: string): Promise<{ email?: string; language?: string } | undefined> {
    try {
      const contact = await this.api.call(
        'crm.contacts.get',
        (sdk) => sdk.crm.contacts.basicApi.getById(contactId, ['email', 'hs_language']),
        { what: 'get contact' },
      );
      const { email, hs_language } = contact.properties;
      return { email: email?.toLowerCase() || undefined, language: asLanguage(hs_language ?? undefined) };
    } catch (err) {
      // Not a contact (or not readable): the visitor is anonymous. A 5xx, 429, timeout or network
      // failure surfaces as a retry.
      const status = err instanceof UpstreamError ? err.status : undefined;
      if (status === undefined || status >= 500 || status === 429) throw err;
      this.logger.warn({ contactId, status }, 'thread contact not readable; treated as anonymous');
      return undefined;
    }
  }
}
