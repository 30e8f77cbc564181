import { EMAIL_MASK, scrubEmails } from './personal-data';

describe('scrubEmails', () => {
  it('masks every e-mail address in a serialized line and keeps it valid JSON', () => {
    const line = JSON.stringify({
      err: '"ioana@pop.ro" is not a valid Romanian CUI',
      msg: 'tool call failed for Ana.Maria+chat@sub.client.co.uk and x_y@a-b.ro',
    });
    const scrubbed = scrubEmails(line);
    expect(JSON.parse(scrubbed)).toEqual({
      err: `"${EMAIL_MASK}" is not a valid Romanian CUI`,
      msg: `tool call failed for ${EMAIL_MASK} and ${EMAIL_MASK}`,
    });
  });

  it('leaves lines without an address untouched (same string)', () => {
    const line = '{"level":30,"msg":"message handled","jobId":"msg-1-abc"}';
    expect(scrubEmails(line)).toBe(line);
    const withAt = '{"msg":"@app/contracts loaded","handle":"@ana"}';
    expect(scrubEmails(withAt)).toBe(withAt);
  });

  it('also hides credentials of a URL (user:password@host)', () => {
    expect(scrubEmails('connect redis://default:s3cret-pass@redis.internal:6379')).not.toContain('s3cret-pass');
  });

  it('keeps an already masked address as it is', () => {
    expect(scrubEmails('{"email":"i***@pop.ro"}')).toBe('{"email":"i***@pop.ro"}');
  });
});
