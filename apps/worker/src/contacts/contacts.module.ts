import { Module } from '@nestjs/common';
import { HubSpotModule } from '../hubspot/hubspot.module';
import { HubSpotContacts } from './hubspot-contacts.service';

/** HubSpot CRM contacts through the typed SDK. */
@Module({ imports: [HubSpotModule], providers: [HubSpotContacts], exports: [HubSpotContacts] })
export class ContactsModule {}
