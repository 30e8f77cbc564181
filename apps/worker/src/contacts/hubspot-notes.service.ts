import { Injectable } from '@nestjs/common';
import { AssociationSpecAssociationCategoryEnum as Category } from '@hubspot/api-client/lib/codegen/crm/objects/notes';
import { HubSpotApiClient, type HubSpotSdk } from '../hubspot/hubspot-api.client';
import { missingScopeError } from '../hubspot/hubspot-errors';

/** HubSpot-defined association types of a note (note → contact, note → company). */
export const NOTE_TO_CONTACT = 202;
export const NOTE_TO_COMPANY = 190;
/** How many of a contact's notes a lookup reads (newest ids first): a retry follows its write within minutes. */
const LOOKUP_NOTES = 100;

export interface NewNote {
  /** HTML (`hs_note_body`); whatever came from a person is escaped by the caller. */
  body: string;
  contactId: string;
  companyId?: string;
}

/**
 * CRM notes (the contact's timeline) through the typed SDK: create one associated with a contact
 * (and company), and find one by a marker in its body (the effect a retry looks for). Scopes:
 * `crm.objects.contacts.write` / `.read` (notes belong to the contact's engagements).
 */
@Injectable()
export class HubSpotNotes {
  constructor(private readonly api: HubSpotApiClient) {}

  /** Creates the note with its associations in one call; returns its id. */
  async create(note: NewNote): Promise<string> {
    const to = (id: string, typeId: number) => ({
      to: { id },
      types: [{ associationCategory: Category.HubspotDefined, associationTypeId: typeId }],
    });
    const associations = [to(note.contactId, NOTE_TO_CONTACT)];
    if (note.companyId) associations.push(to(note.companyId, NOTE_TO_COMPANY));
    const res = await this.call('crm.notes.create', 'crm.objects.contacts.write', 201, (sdk) =>
      sdk.crm.objects.notes.basicApi.create({
        properties: { hs_note_body: note.body, hs_timestamp: new Date().toISOString() },
        associations,
      }),
    );
    return res.id;
  }

  /**
   * The id of a note associated with the contact whose body holds `marker`, if any. Reads the
   * association list (no search: new notes reach the search index late) and the newest notes' bodies.
   */
  async findOnContact(contactId: string, marker: string): Promise<string | undefined> {
    const page = await this.call('crm.associations.list', 'crm.objects.contacts.read', 200, (sdk) =>
      sdk.crm.associations.v4.basicApi.getPage('contacts', contactId, 'notes', undefined, 500),
    );
    const ids = (page.results ?? [])
      .map((r) => String(r.toObjectId))
      .sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0))
      .slice(0, LOOKUP_NOTES);
    if (ids.length === 0) return undefined;
    const notes = await this.call('crm.notes.batch_read', 'crm.objects.contacts.read', 200, (sdk) =>
      sdk.crm.objects.notes.batchApi.read({
        inputs: ids.map((id) => ({ id })),
        properties: ['hs_note_body'],
        propertiesWithHistory: [],
      }),
    );
    return notes.results.find((n) => (n.properties?.hs_note_body ?? '').includes(marker))?.id;
  }

  private call<T>(endpoint: string, scope: string, ok: number, fn: (sdk: HubSpotSdk) => Promise<T>): Promise<T> {
    return this.api.call(endpoint, fn, { okStatus: ok, onFailure: (f) => missingScopeError(f, scope) });
  }
}
