import { Injectable } from '@nestjs/common';
import OpenAI from 'openai';
import { WorkerConfig } from '../config/worker-config';
import { UpstreamError, isRetryableStatus, retryAfterMs } from '../errors/upstream.error';

/** The one OpenAI SDK client of the process. SDK retries are off: the queue owns retries. */
@Injectable()
export class OpenAIApiClient {
  readonly sdk: OpenAI;

  constructor(config: WorkerConfig) {
    this.sdk = new OpenAI({
      apiKey: config.openai.apiKey,
      baseURL: config.openai.baseUrl,
      maxRetries: 0,
      timeout: config.openai.timeoutMs,
    });
  }

  /** Runs one SDK call and maps its failure to UpstreamError (retryable or permanent). */
  async call<T>(what: string, fn: (sdk: OpenAI) => Promise<T>): Promise<T> {
    try {
      return await fn(this.sdk);
    } catch (err) {
      throw toUpstreamError(what, err);
    }
  }
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
