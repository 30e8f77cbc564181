import { Injectable } from '@nestjs/common';
import type { ThreadKeyRef } from '@app/redis';
import { RateBudgetExhaustedError } from '../budgets/rate-budget.service';
import { OutcomeUnknownError } from '../errors/outcome-unknown.error';
import { UpstreamError } from '../errors/upstream.error';
import { HubSpotScopeError } from '../hubspot/hubspot-errors';
import { CrmWritesStore } from '../state/crm-writes.store';
import { HubSpotNotes, type NewNote } from './hubspot-notes.service';

/** How long a note create with an unknown outcome gets to land before it is written again. */
const NOTE_SETTLE_MS = 3000;

/**
 * A thread's CRM note, written once under job redelivery and crash, the way reply parts are posted:
 * the write is recorded (by its marker) before the call; a retry that finds it pending looks for
 * a note carrying the marker on the contact (once more after a pause) before writing again.
 */
@Injectable()
export class NoteOnce {
  constructor(
    private readonly notes: HubSpotNotes,
    private readonly writes: CrmWritesStore,
  ) {}

  /** The note's id. `note.body` must contain `marker` (that is how a retry recognises it). */
  async write(ref: ThreadKeyRef, marker: string, note: NewNote): Promise<string> {
    if (!note.body.includes(marker)) throw new Error('the note body must carry its marker');
    const before = await this.writes.begin(ref, marker);
    if (before?.state === 'done' && before.id) return before.id;
    if (before?.state === 'pending') {
      const found = await this.notes.findOnContact(note.contactId, marker);
      if (found) {
        await this.writes.update(ref, marker, { state: 'done', id: found });
        return found;
      }
      // A create that timed out may still land: look once more after a pause before writing again.
      if (before.lookedUpAt === undefined) {
        await this.writes.update(ref, marker, { state: 'pending', lookedUpAt: Date.now() });
        throw new OutcomeUnknownError('qualification note', NOTE_SETTLE_MS);
      }
    }
    let id: string;
    try {
      id = await this.notes.create(note);
    } catch (err) {
      // HubSpot answered (an error status, a missing scope) or the request never left: nothing was
      // stored. Only a timeout or a broken connection leaves it unknown.
      const answered =
        (err instanceof UpstreamError && err.status !== undefined) ||
        err instanceof RateBudgetExhaustedError ||
        err instanceof HubSpotScopeError;
      if (answered) {
        await this.writes.forget(ref, marker);
        throw err;
      }
      if (err instanceof UpstreamError) throw new OutcomeUnknownError('qualification note', NOTE_SETTLE_MS);
      throw err;
    }
    await this.writes.update(ref, marker, { state: 'done', id });
    return id;
  }
}
