import { Module } from '@nestjs/common';
import { HubSpotModule } from '../hubspot/hubspot.module';
import { StateModule } from '../state/state.module';
import { HubSpotContacts } from './hubspot-contacts.service';
import { HubSpotNotes } from './hubspot-notes.service';
import { NoteOnce } from './note-once.service';

/** HubSpot CRM contacts and their notes through the typed SDK. */
@Module({
  imports: [HubSpotModule, StateModule],
  providers: [HubSpotContacts, HubSpotNotes, NoteOnce],
  exports: [HubSpotContacts, HubSpotNotes, NoteOnce],
})
export class ContactsModule {}
