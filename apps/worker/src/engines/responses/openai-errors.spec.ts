import OpenAI from 'openai';
import { toUpstreamError } from './openai-api.client';

const apiError = (status: number, code: string | null, headers: Record<string, string> = {}) =>
  OpenAI.APIError.generate(
    status,
    { error: { message: 'x', type: 'invalid_request_error', param: null, code } },
    'x',
    new Headers(headers),
  );

describe('OpenAI error classification', () => {
  it.each([
    [400, 'conversation_locked', true],
    [400, null, false],
    [401, null, false],
    [403, null, false],
    [404, null, false],
    [408, null, true],
    [409, null, true],
    [429, 'rate_limit_exceeded', true],
    [429, 'insufficient_quota', false],
    [500, null, true],
    [503, null, true],
  ])('%i %s → retryable %s', (status, code, retryable) => {
    const e = toUpstreamError('responses.create', apiError(status, code));
    expect(e.retryable).toBe(retryable);
    expect(e.status).toBe(status);
  });

  it('honours retry-after and retry-after-ms', () => {
    expect(toUpstreamError('x', apiError(429, 'rate_limit_exceeded', { 'retry-after': '7' })).retryAfterMs).toBe(7000);
    expect(toUpstreamError('x', apiError(429, 'rate_limit_exceeded', { 'retry-after-ms': '250' })).retryAfterMs).toBe(
      250,
    );
  });

  it('treats connection failures and timeouts as retryable', () => {
    expect(toUpstreamError('x', new OpenAI.APIConnectionTimeoutError()).retryable).toBe(true);
    expect(toUpstreamError('x', new OpenAI.APIConnectionError({ message: 'reset' })).retryable).toBe(true);
  });

  it('treats unknown failures as permanent (a bug, not a blip)', () => {
    expect(toUpstreamError('x', new TypeError('boom')).retryable).toBe(false);
  });
});
