import { Injectable } from '@nestjs/common';
import { HubSpotContacts } from '../contacts/hubspot-contacts.service';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import { ThreadStateStore } from '../threads/thread-state.store';
import { VerificationCodes, type CodeCheckResult } from './verification-codes.service';

/** Turns a right code into the thread's proved identity: the verified address and its CRM contact. */
@Injectable()
export class VisitorIdentity {
  constructor(
    private readonly codes: VerificationCodes,
    private readonly threadState: ThreadStateStore,
    private readonly contacts: HubSpotContacts,
  ) {}

  /** Checks the code; when right, records the proof and binds the address's contact (if it has one). */
  async verify(ref: ThreadRef, code: string): Promise<CodeCheckResult & { contactId?: string }> {
    const result = await this.codes.check(ref, code);
    if (result.status !== 'verified') return result;
    // Exact lookup by the unique e-mail property: the contact that owns the proved address, or none.
    const contact = await this.contacts.findByEmail(result.email);
    await this.threadState.set(ref, {
      verifiedEmail: result.email,
      verifiedAt: String(Date.now()),
      email: result.email,
      ...(contact ? { contactId: contact.id } : {}),
    });
    // A contact claimed earlier in the thread is not the proved one: drop that binding.
    if (!contact) await this.threadState.unset(ref, 'contactId');
    await this.codes.consume(ref);
    return { ...result, contactId: contact?.id };
  }
}
