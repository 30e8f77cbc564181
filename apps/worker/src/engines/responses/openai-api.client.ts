import { Injectable } from '@nestjs/common';
import OpenAI from 'openai';
import { OpenAiConfig } from '../../config/config-sections';
import { UpstreamError, isRetryableStatus, retryAfterMs } from '../../errors/upstream.error';
import { WorkerMetrics, type UpstreamStatus } from '../../metrics/worker-metrics.service';

/** The one OpenAI SDK client of the process. SDK retries are off: the queue owns retries. */
@Injectable()
export class OpenAIApiClient {
  readonly sdk: OpenAI;

  constructor(
    config: OpenAiConfig,
    private readonly metrics: WorkerMetrics,
  ) {
    this.sdk = new OpenAI({
      apiKey: config.apiKey,
      baseURL: config.baseUrl,
      maxRetries: 0,
      timeout: config.timeoutMs,
    });
  }

  /**
   * Runs one SDK call and maps its failure to UpstreamError (retryable or permanent). `what` names
   * the SDK method (`responses.create`): it is the metrics' endpoint label, so never put ids in it.
   */
  async call<T>(what: string, fn: (sdk: OpenAI) => Promise<T>): Promise<T> {
    const end = this.metrics.startUpstreamCall('openai', what);
    try {
      const result = await fn(this.sdk);
      end(200);
      return result;
    } catch (err) {
      end(statusOf(err));
      throw toUpstreamError(what, err);
    }
  }
}

function statusOf(err: unknown): UpstreamStatus {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (err instanceof OpenAI.APIConnectionError) return 'network';
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') return err.status;
  return 'error';
}

export function toUpstreamError(what: string, err: unknown): UpstreamError {
  if (err instanceof OpenAI.APIConnectionError) {
    // Includes APIConnectionTimeoutError: the network or OpenAI did not answer in time.
    return new UpstreamError('openai', `${what}: ${err.message}`, true);
  }
  if (err instanceof OpenAI.APIError) {
    const status: number = typeof err.status === 'number' ? err.status : 0;
    const code = typeof err.code === 'string' ? err.code : undefined;
    // A spent quota needs a person; a locked conversation frees itself in seconds.
    const retryable = code === 'conversation_locked' || (isRetryableStatus(status) && code !== 'insufficient_quota');
    const wait =
      retryAfterMs(err.headers as Headers | undefined) ?? (code === 'conversation_locked' ? 2000 : undefined);
    return new UpstreamError(
      'openai',
      `${what} → ${status} ${code ?? ''} ${err.message}`.trim(),
      retryable,
      status,
      wait,
      code,
    );
  }
  return new UpstreamError('openai', `${what}: ${err instanceof Error ? err.message : String(err)}`, false);
}
