import { UpstreamError } from './upstream.error';

/**
 * A write whose outcome is unknown (it timed out, or a retry has not found its effect yet). It is not
 * a tool result for the model: the tool registry lets it through, the job retries after
 * `retryAfterMs` and the tool looks for the effect before writing again (as reply posting does).
 */
export class OutcomeUnknownError extends UpstreamError {
  constructor(what: string, retryAfterMs: number) {
    super('hubspot', `${what}: outcome unknown; looking for it again`, true, undefined, retryAfterMs);
    this.name = 'OutcomeUnknownError';
  }
}
