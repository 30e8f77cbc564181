import { EMAIL_MASK, PHONE_MASK, redactText, scrubEmails, scrubPersonalData } from './personal-data';

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

describe('scrubPersonalData (the log line filter)', () => {
  it('masks partial and non-ASCII e-mail addresses', () => {
    const line = JSON.stringify({ msg: 'from ioana.ș@pop.ro, josé@exemplu.ro and jane@intranet' });
    expect(JSON.parse(scrubPersonalData(line))).toEqual({
      msg: `from ${EMAIL_MASK}, ${EMAIL_MASK} and ${EMAIL_MASK}`,
    });
  });

  it('masks phone numbers typed in text, in the usual spellings', () => {
    for (const phone of [
      '+40 721 234 567',
      '+40721234567',
      '0721 234 567',
      '0721-234-567',
      '(020) 123 4567',
      '0721234567',
    ]) {
      const line = JSON.stringify({ err: `call me at ${phone} please` });
      expect(JSON.parse(scrubPersonalData(line))).toEqual({ err: `call me at ${PHONE_MASK} please` });
    }
  });

  it('keeps ids, times, counts, versions and dates that are JSON values or short numbers', () => {
    const line = JSON.stringify({
      level: 30,
      time: 1733465312345,
      threadId: '3624100517',
      jobId: 'msg-22761544-e835c5f42631462ea4447601c8e1e394',
      msg: 'turn done in 1234 ms, 3 tools, node 24.21.0',
      at: '2026-12-06T05:00:00.000Z',
      cui: 'RO14837428',
    });
    expect(scrubPersonalData(line)).toBe(line);
  });
});

describe('redactText (what operators read: reasons, tool errors)', () => {
  it('redacts e-mails, phones and the names the visitor gave', () => {
    expect(
      redactText('Ana Popescu (ana.p@client.ro, +40 721 234 567) wants a refund; call Ana today', ['Ana', 'Popescu']),
    ).toBe('[name] [name] (a***@client.ro, ***67) wants a refund; call [name] today');
  });

  it('masks names as whole words only, whatever their case', () => {
    expect(redactText('ION asked about Ionescu SRL', ['Ion'])).toBe('[name] asked about Ionescu SRL');
  });
});
