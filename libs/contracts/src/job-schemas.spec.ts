import { JobName } from './jobs';
import { parseJobData } from './job-schemas';

const message = {
  portalId: '22761544',
  threadId: '3624100517',
  messageId: 'e835c5f42631462ea4447601c8e1e394',
  occurredAt: 1670383777358,
  attemptNumber: 0,
  auditPath: '/admin/conversations/3624100517',
};

describe('job data contract', () => {
  it('accepts what the ingestion classifier produces, with or without auditPath', () => {
    expect(parseJobData(JobName.MessageReceived, message)).toEqual({ ok: true, data: message });
    const withoutPath = Object.fromEntries(Object.entries(message).filter(([k]) => k !== 'auditPath'));
    expect(parseJobData(JobName.MessageReceived, withoutPath).ok).toBe(true);
    expect(parseJobData(JobName.ThreadOpened, withoutPath).ok).toBe(true);
    expect(
      parseJobData(JobName.ThreadChanged, { ...withoutPath, propertyName: 'assignedTo', propertyValue: '' }).ok,
    ).toBe(true);
  });

  it('drops unknown fields', () => {
    const verdict = parseJobData(JobName.ThreadOpened, { ...message, text: 'hi' });
    expect(verdict.ok && 'text' in verdict.data).toBe(false);
  });

  it.each([
    ['threadId', { threadId: '../../v3/objects/contacts' }],
    ['threadId', { threadId: '123?x=1' }],
    ['threadId', { threadId: 3624100517 }],
    ['threadId', { threadId: '1'.repeat(21) }],
    ['portalId', { portalId: '' }],
    ['messageId', { messageId: 'a/b' }],
    ['messageId', { messageId: 'x'.repeat(129) }],
    ['occurredAt', { occurredAt: -1 }],
    ['attemptNumber', { attemptNumber: 0.5 }],
    ['auditPath', { auditPath: 'https://evil.example/' }],
    ['auditPath', { auditPath: '/admin/conversations/1' }],
  ])('refuses a bad %s, naming it', (field, patch) => {
    const verdict = parseJobData(JobName.MessageReceived, { ...message, ...patch });
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.problem).toMatch(new RegExp(`^${field} `));
  });

  it('refuses untracked properties and long values on thread.changed', () => {
    const base = { ...message, propertyName: 'status', propertyValue: 'CLOSED' };
    expect(parseJobData(JobName.ThreadChanged, { ...base, propertyName: 'isArchived' })).toMatchObject({ ok: false });
    expect(parseJobData(JobName.ThreadChanged, { ...base, propertyValue: 'x'.repeat(257) })).toMatchObject({
      ok: false,
    });
  });

  it('refuses data that is not an object', () => {
    expect(parseJobData(JobName.ThreadOpened, null)).toMatchObject({ ok: false });
    expect(parseJobData(JobName.ThreadOpened, 'x')).toMatchObject({ ok: false });
  });
});
