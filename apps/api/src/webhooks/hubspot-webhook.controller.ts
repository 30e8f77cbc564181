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
import type { FastifyRequest } from 'fastify';
import { ApiConfig } from '../config/api-config';
import { QueueUnavailableError } from '../ingest/queue-unavailable.error';
import { WebhookIngestService, type IngestResult } from '../ingest/webhook-ingest.service';
import { ApiMetrics } from '../metrics/api-metrics.service';
import { HubSpotSignatureGuard } from './hubspot-signature.guard';

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
