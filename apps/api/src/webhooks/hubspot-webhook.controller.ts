import {
  BadRequestException,
  Controller,
  HttpCode,
  HttpStatus,
  PayloadTooLargeException,
  Post,
  Req,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiConfig } from '../config/api-config';
import { QueueUnavailableError } from '../ingest/queue-unavailable.error';
import { WebhookIngestService, type IngestResult } from '../ingest/webhook-ingest.service';
import { ErrorResponseDto } from '../docs/error-response.dto';
import { ApiMetrics } from '../metrics/api-metrics.service';
import { HubSpotSignatureGuard } from './hubspot-signature.guard';
import { HubSpotWebhookEventDto, IngestResultDto, NEW_MESSAGE_EXAMPLE } from './hubspot-webhook.dto';

@ApiTags('webhooks')
@Controller('webhooks')
export class HubSpotWebhookController {
  constructor(
    private readonly ingest: WebhookIngestService,
    private readonly metrics: ApiMetrics,
    private readonly config: ApiConfig,
  ) {}

  /** HubSpot app webhooks. The body arrives raw (a Buffer) so the signature covers the exact bytes. */
  @Post('hubspot')
  @HttpCode(HttpStatus.OK)
  @UseGuards(HubSpotSignatureGuard)
  // OpenAPI description only (no behaviour): the body stays raw bytes until the signature checks out.
  @ApiOperation({
    summary: 'HubSpot app webhooks (public; signed instead of the admin auth)',
    description:
      'HubSpot signature v3: HMAC-SHA256 (client secret) of method + the URL registered in HubSpot ' +
      '(HUBSPOT_WEBHOOK_URL) + the raw body + the timestamp, base64. The body is verified as raw bytes ' +
      'before it is parsed. Each event becomes at most one queued job (deterministic job ids make ' +
      'redeliveries duplicates). At most WEBHOOK_MAX_EVENTS events per request.',
  })
  // Listed in the document in reverse order of these decorators (they apply bottom-up).
  @ApiHeader({
    name: 'X-HubSpot-Request-Timestamp',
    required: true,
    description: 'ms since the epoch when HubSpot signed; more than 5 minutes off the server clock is rejected',
  })
  @ApiHeader({
    name: 'X-HubSpot-Signature-v3',
    required: true,
    description: 'base64 HMAC-SHA256 signature v3 of the request',
  })
  @ApiConsumes('application/json')
  @ApiBody({
    description: 'a JSON array of HubSpot webhook events (HubSpot sends fewer than 100)',
    type: [HubSpotWebhookEventDto],
    examples: { 'conversation.newMessage': { summary: 'one new visitor message', value: NEW_MESSAGE_EXAMPLE } },
  })
  @ApiOkResponse({ description: 'the batch is stored (queued); every event counted once', type: IngestResultDto })
  @ApiBadRequestResponse({
    description: 'body is empty, not valid JSON, or not a JSON array of events',
    type: ErrorResponseDto,
  })
  @ApiUnauthorizedResponse({
    description: 'signature rejected: missing or wrong signature; missing, malformed, stale or future timestamp',
    type: ErrorResponseDto,
  })
  @ApiPayloadTooLargeResponse({
    description: 'more events than WEBHOOK_MAX_EVENTS, or a body over 1 MiB',
    type: ErrorResponseDto,
  })
  @ApiUnsupportedMediaTypeResponse({ description: 'Content-Type is not application/json', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({
    description: 'queue (Redis) unavailable: nothing was acknowledged, HubSpot retries',
    type: ErrorResponseDto,
  })
  async receive(@Req() req: FastifyRequest): Promise<IngestResult> {
    const events = parseBatch(req.body);
    const max = this.config.ingest.maxEventsPerRequest;
    if (events.length > max) {
      // HubSpot batches fewer than 100 events; a bigger signed batch is a leak or a replay tool.
      throw new PayloadTooLargeException(
        `batch has ${events.length} events; at most ${max} per request (WEBHOOK_MAX_EVENTS)`,
      );
    }
    let result: IngestResult;
    try {
      result = await this.ingest.ingest(events);
    } catch (err) {
      // Nothing was acknowledged: HubSpot retries on 5xx, and 503 says "try later".
      if (err instanceof QueueUnavailableError) throw new ServiceUnavailableException('queue unavailable, retry later');
      throw err;
    }
    this.metrics.countEvents(result);
    return result;
  }
}

function parseBatch(body: unknown): unknown[] {
  if (!Buffer.isBuffer(body) || body.length === 0) throw new BadRequestException('body is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestException('body is not valid JSON');
  }
  if (!Array.isArray(parsed)) throw new BadRequestException('body must be a JSON array of events');
  return parsed;
}
