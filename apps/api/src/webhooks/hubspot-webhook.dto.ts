import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { IngestResult } from '../ingest/webhook-ingest.service';

/**
 * The captured `conversation.newMessage` delivery (test/fixtures/hubspot/webhook-new-message.body.json;
 * a test keeps the two equal).
 */
export const NEW_MESSAGE_EXAMPLE = [
  {
    eventId: 3814323381,
    subscriptionId: 1870311,
    portalId: 22761544,
    appId: 1098266,
    occurredAt: 1670383777358,
    subscriptionType: 'conversation.newMessage',
    attemptNumber: 0,
    objectId: 3624100517,
    messageId: 'e835c5f42631462ea4447601c8e1e394',
    messageType: 'MESSAGE',
    changeFlag: 'NEW_MESSAGE',
  },
];

const ID = { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^\\d{1,20}$' }] };

/**
 * One HubSpot webhook event, as far as the api reads it (documentation only: the route takes the
 * raw bytes, checks the signature, then classifies each event; unknown fields are tolerated).
 */
export class HubSpotWebhookEventDto {
  @ApiProperty({ example: 3814323381 })
  eventId!: number;

  @ApiProperty({ example: 1870311 })
  subscriptionId!: number;

  @ApiProperty({ ...ID, description: 'HubSpot portal (account) id', example: 22761544 })
  portalId!: number | string;

  @ApiProperty({ example: 1098266 })
  appId!: number;

  @ApiProperty({ description: 'ms since the epoch', example: 1670383777358 })
  occurredAt!: number;

  @ApiProperty({
    description: 'the api acts on these three; other types are counted as `ignored`',
    enum: ['conversation.newMessage', 'conversation.creation', 'conversation.propertyChange'],
    example: 'conversation.newMessage',
  })
  subscriptionType!: string;

  @ApiPropertyOptional({ description: "HubSpot's redelivery count", example: 0 })
  attemptNumber?: number;

  @ApiProperty({ ...ID, description: 'the conversation thread id', example: 3624100517 })
  objectId!: number | string;

  @ApiPropertyOptional({ description: 'conversation.newMessage', pattern: '^[A-Za-z0-9_-]{1,128}$' })
  messageId?: string;

  @ApiPropertyOptional({ description: 'conversation.newMessage', example: 'MESSAGE' })
  messageType?: string;

  @ApiPropertyOptional({ example: 'NEW_MESSAGE' })
  changeFlag?: string;

  @ApiPropertyOptional({ description: 'conversation.propertyChange (the api acts on assignedTo and status)' })
  propertyName?: string;

  @ApiPropertyOptional({ description: 'conversation.propertyChange', type: 'string', nullable: true })
  propertyValue?: string | number | null;
}

/** 200: every event of the batch is accounted for exactly once. */
export class IngestResultDto implements IngestResult {
  @ApiProperty({ description: 'events queued as new jobs', example: 1 })
  accepted!: number;

  @ApiProperty({ description: 'events already queued before (HubSpot redelivery): not queued again', example: 0 })
  duplicates!: number;

  @ApiProperty({ description: 'events of a type or change the api does not act on', example: 0 })
  ignored!: number;

  @ApiProperty({ description: 'malformed events (logged, not retried)', example: 0 })
  invalid!: number;
}
