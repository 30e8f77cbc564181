import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX, METRICS_REGISTRY } from '@app/metrics';
import type { IngestResult } from '../ingest/webhook-ingest.service';

/** Every answer the webhook gives; shown as 0 from boot so rates and alerts work from the start. */
const KNOWN_STATUSES = [200, 400, 401, 413, 415, 500, 503];

// Milliseconds are normal for a webhook; seconds mean Redis is struggling (HubSpot gives up at 5 s).
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type EventOutcome = 'accepted' | 'duplicate' | 'ignored' | 'invalid';

/** The api's metrics: webhook requests by status, and the events they carried by outcome. */
@Injectable()
export class ApiMetrics {
  private readonly requests: Counter<'status'>;
  private readonly duration: Histogram<'status'>;
  private readonly events: Counter<'outcome'>;
  // Label children cached per status: the hot path is a Map lookup and an increment.
  private readonly byStatus = new Map<number, { count: Counter.Internal; duration: Histogram.Internal<'status'> }>();
  private readonly byOutcome: Record<EventOutcome, Counter.Internal>;
  private readonly authFailures: Counter;
  private readonly authRefusals: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.requests = new Counter({
      name: `${METRIC_PREFIX}webhook_requests_total`,
      help: 'Webhook requests (POST /webhooks/hubspot) by HTTP status answered',
      labelNames: ['status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: `${METRIC_PREFIX}webhook_request_duration_seconds`,
      help: 'Time to answer a webhook request, by HTTP status',
      labelNames: ['status'],
      buckets: REQUEST_BUCKETS,
      registers: [registry],
    });
    this.events = new Counter({
      name: `${METRIC_PREFIX}webhook_events_total`,
      help: 'Events in accepted (200) webhook batches, by outcome: accepted (queued), duplicate, ignored, invalid',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const status of KNOWN_STATUSES) this.childrenFor(status).count.inc(0);
    this.byOutcome = {
      accepted: this.events.labels('accepted'),
      duplicate: this.events.labels('duplicate'),
      ignored: this.events.labels('ignored'),
      invalid: this.events.labels('invalid'),
    };
    for (const child of Object.values(this.byOutcome)) child.inc(0);
    this.authFailures = new Counter({
      name: `${METRIC_PREFIX}admin_auth_failures_total`,
      help: 'Requests to admin routes that presented wrong credentials',
      registers: [registry],
    });
    this.authRefusals = new Counter({
      name: `${METRIC_PREFIX}admin_auth_refusals_total`,
      help: 'Admin requests refused (429) because their client had too many failed logins',
      registers: [registry],
    });
  }

  adminAuthFailed(): void {
    this.authFailures.inc();
  }

  adminAuthRefused(): void {
    this.authRefusals.inc();
  }

  observeRequest(status: number, seconds: number): void {
    const children = this.childrenFor(status);
    children.count.inc();
    children.duration.observe(seconds);
  }

  countEvents(result: IngestResult): void {
    if (result.accepted) this.byOutcome.accepted.inc(result.accepted);
    if (result.duplicates) this.byOutcome.duplicate.inc(result.duplicates);
    if (result.ignored) this.byOutcome.ignored.inc(result.ignored);
    if (result.invalid) this.byOutcome.invalid.inc(result.invalid);
  }

  private childrenFor(status: number) {
    let children = this.byStatus.get(status);
    if (!children) {
      const label = String(status);
      children = { count: this.requests.labels(label), duration: this.duration.labels(label) };
      this.byStatus.set(status, children);
    }
    return children;
  }
}
