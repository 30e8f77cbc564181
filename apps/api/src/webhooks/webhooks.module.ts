import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { HubSpotSignatureGuard } from './hubspot-signature.guard';
import { HubSpotWebhookController } from './hubspot-webhook.controller';

@Module({
  imports: [IngestModule],
  controllers: [HubSpotWebhookController],
  providers: [HubSpotSignatureGuard],
})
export class WebhooksModule {}
