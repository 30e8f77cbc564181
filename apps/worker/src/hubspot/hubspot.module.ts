import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { HubSpotApiClient } from './hubspot-api.client';
import { HubSpotConversations } from './hubspot-conversations.service';
import { HubSpotReply } from './hubspot-reply.service';

/** The process's one HubSpot client (budget, metrics, timeout, errors) and the Conversations calls. */
@Module({
  imports: [StateModule],
  providers: [HubSpotApiClient, HubSpotConversations, HubSpotReply],
  exports: [HubSpotApiClient, HubSpotConversations, HubSpotReply],
})
export class HubSpotModule {}
