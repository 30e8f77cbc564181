import { Injectable } from '@nestjs/common';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import { codeWrongText, textsFor } from '../profiles/fixed-texts';
import { ThreadContext, type ResolvedThread } from '../threads/thread-context.service';
import { threadLanguage } from '../threads/visitor-language';
import { IdentityMetrics, type VisitorLimit } from './identity-metrics.service';
import type { Language } from './identity-texts';
import { VerificationCodes, findCode } from './verification-codes.service';
import { VerificationMailError } from './verification-mailer.service';
import { VisitorIdentity } from './visitor-identity.service';
import { VisitorLimits } from './visitor-limits.service';

export interface GateAnswer {
  text: string;
  /** The thread proved an address with this message. */
  verified?: boolean;
  /** What the conversation records as the visitor's turn (never the code itself); absent = nothing. */
  recordAs?: string;
}

const EMAIL_IN_TEXT = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/u;
export const CODE_TYPED = '[the visitor typed a verification code]';

/**
 * Answers without the model where identity is at stake: a typed code while one is pending (so a
 * live code never reaches the model), and the staff gate of staff-only profiles (no tool, no model
 * call until a staff address is verified in this thread).
 */
@Injectable()
export class IdentityGate {
  constructor(
    private readonly codes: VerificationCodes,
    private readonly identity: VisitorIdentity,
    private readonly threadContext: ThreadContext,
    private readonly limits: VisitorLimits,
    private readonly metrics: IdentityMetrics,
  ) {}

  /** Counts the message against its visitor's limits; the limit passed (told once per window), if any. */
  async visitorLimit(ref: ThreadRef, visitorId: string): Promise<{ limit: VisitorLimit; notice: boolean } | undefined> {
    const counted = await this.limits.count(ref, visitorId);
    if (!counted.limited) return undefined;
    this.metrics.countLimited(counted.limited);
    return { limit: counted.limited, notice: counted.firstNotice };
  }

  /** Would a code typed now be checked as one (a code is pending in the thread)? */
  async codePending(ref: ThreadRef): Promise<boolean> {
    return (await this.codes.pendingLanguage(ref)) !== undefined;
  }

  async answer(ref: ThreadRef, thread: ResolvedThread, text: string): Promise<GateAnswer | undefined> {
    const code = findCode(text);
    const pending = code ? await this.codes.pendingLanguage(ref) : undefined;
    if (code && pending) return this.checkCode(ref, thread, code, pending);
    if (thread.profile.staffOnly && !thread.isStaff) return this.staffGate(ref, thread, text);
    return undefined;
  }

  private async checkCode(ref: ThreadRef, thread: ResolvedThread, code: string, language: Language) {
    const t = textsFor(thread.profile, language);
    const result = await this.identity.verify(ref, code);
    const record = thread.profile.staffOnly ? undefined : CODE_TYPED;
    switch (result.status) {
      case 'verified': {
        const staff = thread.profile.staffOnly && this.threadContext.isStaffAddress(result.email);
        return { text: staff ? t.staffVerified : t.codeAccepted, recordAs: record, verified: true };
      }
      case 'wrong':
        return { text: codeWrongText(t, result.attemptsLeft), recordAs: record };
      case 'locked':
        return { text: t.codeLocked, recordAs: record };
      default:
        return { text: t.codeExpired, recordAs: record };
    }
  }

  /** Asks for a work address, sends a code only to staff addresses, answers alike for any address. */
  private async staffGate(ref: ThreadRef, thread: ResolvedThread, text: string): Promise<GateAnswer> {
    const language = threadLanguage(thread);
    const t = textsFor(thread.profile, language);
    if (!this.codes.available) return { text: t.staffUnavailable };
    const email = EMAIL_IN_TEXT.exec(text)?.[0].toLowerCase();
    if (!email) return { text: t.staffPrompt };
    try {
      const sent = await this.codes.request(ref, email, language, this.threadContext.isStaffAddress(email));
      return { text: sent.status === 'rate_limited' ? t.codesRateLimited : t.staffCodeSent };
    } catch (err) {
      if (err instanceof VerificationMailError) return { text: t.staffUnavailable };
      throw err;
    }
  }
}
