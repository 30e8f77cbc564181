import type { IdentityLevel } from '@app/audit';
import type { ThreadState } from './thread-state.store';

export type { IdentityLevel };

/**
 * `verified`: the visitor proved an address with a code in this thread. `claimed`: HubSpot
 * associated a contact, or an address was typed — anyone can type anyone's address, so a claim
 * may add information but never reads back or changes what is stored. `anonymous`: neither.
 */
export function identityLevel(state: ThreadState, channelEmail?: string): IdentityLevel {
  if (state.verifiedEmail) return 'verified';
  if (state.contactId || state.email || state.contactPending || channelEmail) return 'claimed';
  return 'anonymous';
}

/** Fields that make up a thread's identity; all end with the thread (closed) so a reopen starts over. */
export const IDENTITY_FIELDS = [
  'contactId',
  'contactPending',
  'email',
  'verifiedEmail',
  'verifiedAt',
  'contactCreateUsed',
  'contactLanguage',
] as const;
