import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { HubSpotApiClient } from './hubspot-api.client';
import { HubSpotAssignee } from './hubspot-assignee.service';
import { HubSpotConversations } from './hubspot-conversations.service';
import { HubSpotReply } from './hubspot-reply.service';

/** The process's one HubSpot client (budget, metrics, timeout, errors) and the Conversations calls. */
@Module({
  imports: [StateModule],
  providers: [HubSpotApiClient, HubSpotConversations, HubSpotReply, HubSpotAssignee],
  exports: [HubSpotApiClient, HubSpotConversations, HubSpotReply, HubSpotAssignee],
})
export class HubSpotModule {}
