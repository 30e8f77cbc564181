import { Module } from '@nestjs/common';
import { HubSpotModule } from '../hubspot/hubspot.module';
import { CHAT_CHANNEL } from './chat-channel';
import { HubSpotChannel } from './hubspot.channel';

/** The chat channel a turn reads from and replies to (CHAT_CHANNEL): HubSpot Conversations. */
@Module({
  imports: [HubSpotModule],
  providers: [HubSpotChannel, { provide: CHAT_CHANNEL, useExisting: HubSpotChannel }],
  exports: [CHAT_CHANNEL],
})
export class ChannelModule {}
