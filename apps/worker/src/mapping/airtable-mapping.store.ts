import type { ThreadKeyRef } from '@app/redis';
import Airtable from 'airtable';
import { UpstreamError, isRetryableStatus } from '../errors/upstream.error';
import type { AirtableConfig } from '../config/config-sections';
import type { RateBudget } from '../budgets/rate-budget.service';
import type { WorkerMetrics } from '../metrics/worker-metrics.service';
import type { MappingStore } from './mapping-store';

/** The seed's Airtable table as the store of record (`airtable` SDK). */
export class AirtableMappingStore implements MappingStore {
  readonly kind = 'airtable';
  private readonly table: Airtable.Table<Airtable.FieldSet>;

  constructor(
    private readonly config: AirtableConfig,
    /** Airtable's 5 requests/s per base, shared by all workers (omitted only in store tests). */
    private readonly budget?: RateBudget,
    private readonly metrics?: WorkerMetrics,
  ) {
    const airtable = new Airtable({
      apiKey: config.apiKey,
      endpointUrl: config.endpointUrl,
      // The SDK would retry 429 forever inside the job; the queue owns retries.
      noRetryIfRateLimited: true,
      requestTimeout: 10_000,
    });
    this.table = airtable.base(config.baseId)(config.table);
  }

  async find({ threadId }: ThreadKeyRef): Promise<string | undefined> {
    const formula = `{${this.config.threadField}} = '${escapeFormulaString(threadId)}'`;
    const records = await this.call('records.select', () =>
      this.table
        .select({ filterByFormula: formula, maxRecords: 1, fields: [this.config.conversationField] })
        .firstPage(),
    );
    const value = records[0]?.get(this.config.conversationField);
    return typeof value === 'string' && value ? value : undefined;
  }

  async save({ threadId }: ThreadKeyRef, conversationId: string): Promise<void> {
    const fields = { [this.config.threadField]: threadId, [this.config.conversationField]: conversationId };
    // The SDK has no typed upsert; update() passes performUpsert through to the PATCH body.
    const opts = { performUpsert: { fieldsToMergeOn: [this.config.threadField] } };
    await this.call('records.upsert', () => this.table.update([{ fields } as never], opts as never));
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const spec = { name: `airtable:${this.config.baseId}`, limit: this.config.requestsPerSecond, windowMs: 1000 };
    // A violation locks the whole base for 30 s: the unit counts until Airtable has answered.
    return this.budget ? this.budget.spend(spec, () => this.send(what, fn)) : this.send(what, fn);
  }

  private async send<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const end = this.metrics?.startUpstreamCall('airtable', what);
    try {
      const result = await fn();
      end?.(200);
      return result;
    } catch (err) {
      const e = err as { statusCode?: number; error?: string; message?: string };
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      // The SDK reports its own request timeout as a CONNECTION_ERROR about an aborted request.
      end?.(status || (/abort/i.test(e.message ?? '') ? 'timeout' : 'network'));
      // A 429 from Airtable means: wait 30 seconds.
      const wait = status === 429 ? 30_000 : undefined;
      const retryable = status === 0 || isRetryableStatus(status);
      throw new UpstreamError(
        'airtable',
        `${what} → ${status} ${e.error ?? ''} ${e.message ?? ''}`.trim(),
        retryable,
        status,
        wait,
        e.error,
      );
    }
  }
}

/** Escapes a value for a single-quoted Airtable formula string literal. */
export function escapeFormulaString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
