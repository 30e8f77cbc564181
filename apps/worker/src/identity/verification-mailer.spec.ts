import { Logger } from '@nestjs/common';
import { loadWorkerConfig } from '../config/worker-config';
import { findCode } from './verification-codes.service';
import { VerificationMailer } from './verification-mailer.service';

const base = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  HUBSPOT_ACCESS_TOKEN: 'pat-test-hubspot',
  HUBSPOT_BOT_ACTOR_ID: 'A-1',
  OPENAI_API_KEY: 'sk-test-openai',
};

describe('VerificationMailer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('without SMTP_URL the worker still starts, warning once and naming the variable', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const mailer = new VerificationMailer(loadWorkerConfig(base).identity);
    expect(mailer.available).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^SMTP_URL is not set: e-mail verification is unavailable/);
  });

  it('with SMTP_URL it is available, and MAIL_FROM is then required', () => {
    const mailer = new VerificationMailer(
      loadWorkerConfig({ ...base, SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'bot@example.test' }).identity,
    );
    expect(mailer.available).toBe(true);
    mailer.onModuleDestroy();
    expect(() => loadWorkerConfig({ ...base, SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(
      /MAIL_FROM is required when SMTP_URL is set/,
    );
    expect(() => loadWorkerConfig({ ...base, SMTP_URL: 'http://mail.example.test' })).toThrow(/SMTP_URL must be a URL/);
  });
});

describe('findCode', () => {
  it.each([
    ['123456', '123456'],
    ['123 456', '123456'],
    ['my code is 123-456.', '123456'],
    ['codul este 004512', '004512'],
  ])('recognises %p', (text, code) => expect(findCode(text)).toBe(code));

  it.each(['0721 234 567', '12345', '1234567', 'order 123456 and 7', 'no digits'])('ignores %p', (text) =>
    expect(findCode(text)).toBeUndefined(),
  );
});
