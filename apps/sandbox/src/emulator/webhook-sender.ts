import type { ConversationWebhookEvent } from '../../../../test/fakes/hubspot.fake';
import { signedWebhookHeaders } from './webhook-signature';

export interface WebhookSenderOptions {
  /** Where HubSpot POSTs (the api's /webhooks/hubspot), as the process can reach it. */
  targetUrl: string;
  /** The URL the signature covers: the one configured in HubSpot (the api's HUBSPOT_WEBHOOK_URL). */
  signedUrl?: string;
  clientSecret: string;
  /** Events arriving within this window go out in one POST (HubSpot batches, < 100 per request). */
  batchWindowMs?: number;
  maxBatch?: number;
  /** HubSpot retries up to 10 times over about 24 h; the sandbox keeps the count, shortens the waits. */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A batch not answered within this time counts as failed (HubSpot: 5 s). */
  timeoutMs?: number;
  /** HubSpot sends at most 10 concurrent requests per account. */
  maxConcurrent?: number;
}

/** One POST of one batch, as the log shows it. */
export interface WebhookDelivery {
  attemptNumber: number;
  events: ConversationWebhookEvent[];
  status: number | 'error' | 'timeout';
  at: number;
  /** When the next attempt is due (absent: delivered, or retries exhausted). */
  retryAt?: number;
}

/**
 * Sends conversation events to the api exactly as HubSpot does (reference/hubspot.md §1-2): JSON
 * arrays of events, v3-signed, `attemptNumber` 0 then +1 per retry, a retry with backoff on any
 * non-2xx, a connection error or no answer in 5 s; a batch that keeps failing is dropped after the
 * last retry, as HubSpot does.
 */
export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  private pending: ConversationWebhookEvent[] = [];
  private flushTimer?: NodeJS.Timeout;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private waiting: (() => void)[] = [];
  private stopped = false;
  private readonly o: Required<WebhookSenderOptions>;

  constructor(options: WebhookSenderOptions) {
    this.o = {
      signedUrl: options.targetUrl,
      batchWindowMs: 30,
      maxBatch: 99,
      maxRetries: 10,
      retryBaseMs: 1000,
      retryMaxMs: 60_000,
      timeoutMs: 5000,
      maxConcurrent: 10,
      ...options,
    };
  }

  /** Queues events for the next batch. */
  send(...events: ConversationWebhookEvent[]): void {
    if (this.stopped) return;
    this.pending.push(...events);
    if (this.pending.length >= this.o.maxBatch) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.o.batchWindowMs);
  }

  /** Batches waiting for a retry or still in flight. */
  get busy(): boolean {
    return this.pending.length > 0 || this.retryTimers.size > 0 || this.inFlight.size > 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.flushTimer);
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.pending = [];
    await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.o.maxBatch);
      this.track(this.deliver(batch, 0));
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async deliver(batch: ConversationWebhookEvent[], attemptNumber: number): Promise<void> {
    await this.slot();
    const events = batch.map((e) => ({ ...e, attemptNumber }));
    const body = JSON.stringify(events);
    let status: WebhookDelivery['status'];
    try {
      const res = await fetch(this.o.targetUrl, {
        method: 'POST',
        headers: signedWebhookHeaders(this.o.clientSecret, this.o.signedUrl, body),
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      status = res.status;
    } catch (err) {
      status = (err as Error).name === 'TimeoutError' ? 'timeout' : 'error';
    } finally {
      this.release();
    }
    const delivery: WebhookDelivery = { attemptNumber, events, status, at: Date.now() };
    this.deliveries.push(delivery);
    if (this.deliveries.length > 500) this.deliveries.splice(0, this.deliveries.length - 500);
    const ok = typeof status === 'number' && status >= 200 && status < 300;
    if (ok || this.stopped || attemptNumber >= this.o.maxRetries) return;
    const wait = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** attemptNumber);
    delivery.retryAt = Date.now() + wait;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.track(this.deliver(batch, attemptNumber + 1));
    }, wait);
    this.retryTimers.add(timer);
  }

  private async slot(): Promise<void> {
    while (this.inFlightPosts >= this.o.maxConcurrent) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlightPosts += 1;
  }

  private inFlightPosts = 0;

  private release(): void {
    this.inFlightPosts -= 1;
    this.waiting.shift()?.();
  }
}
