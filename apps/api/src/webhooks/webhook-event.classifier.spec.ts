import { JobName, parseJobData } from '@app/contracts';
import { readFixture } from '../../../../test/support/fixtures';
import { classifyEvent } from './webhook-event.classifier';

const [realNewMessage] = JSON.parse(readFixture('webhook-new-message.body.json').toString()) as Record<
  string,
  unknown
>[];

const envelope = { portalId: 22761544, objectId: 3624100517, occurredAt: 1670383777358, attemptNumber: 2 };

describe('classifyEvent', () => {
  it('turns the captured newMessage event into a message job keyed on portal + message id', () => {
    expect(classifyEvent(realNewMessage)).toEqual({
      kind: 'job',
      job: {
        name: JobName.MessageReceived,
        jobId: 'msg-22761544-e835c5f42631462ea4447601c8e1e394',
        data: {
          portalId: '22761544',
          threadId: '3624100517',
          messageId: 'e835c5f42631462ea4447601c8e1e394',
          occurredAt: 1670383777358,
          attemptNumber: 0,
          auditPath: '/admin/conversations/3624100517',
        },
      },
    });
  });

  it('gives a redelivery (higher attemptNumber, other eventId) the same job id', () => {
    const first = classifyEvent(realNewMessage);
    const again = classifyEvent({ ...realNewMessage, attemptNumber: 3, eventId: 99 });
    expect(first.kind === 'job' && again.kind === 'job' && first.job.jobId === again.job.jobId).toBe(true);
  });

  it('accepts ids given as strings and tolerates unknown fields', () => {
    const c = classifyEvent({ ...realNewMessage, portalId: '22761544', objectId: '3624100517', newField: { a: 1 } });
    expect(c.kind).toBe('job');
    expect(c.kind === 'job' && c.job.data.threadId).toBe('3624100517');
  });

  it.each(['COMMENT', 'WELCOME_MESSAGE', undefined])('ignores messageType %s', (messageType) => {
    expect(classifyEvent({ ...realNewMessage, messageType })).toMatchObject({ kind: 'ignored' });
  });

  it.each([
    ['no messageId', { messageId: undefined }],
    ['messageId with a colon', { messageId: 'a:b' }],
    ['no portalId', { portalId: undefined }],
    ['negative objectId', { objectId: -1 }],
    ['objectId beyond 2^53', { objectId: 2 ** 60 }],
    ['occurredAt as a string', { occurredAt: '1670383777358' }],
    ['fractional attemptNumber', { attemptNumber: 0.5 }],
  ])('marks a MESSAGE event with %s invalid', (_name, patch) => {
    expect(classifyEvent({ ...realNewMessage, ...patch })).toMatchObject({ kind: 'invalid' });
  });

  it('defaults a missing attemptNumber to 0', () => {
    const c = classifyEvent({ ...realNewMessage, attemptNumber: undefined });
    expect(c.kind === 'job' && c.job.data.attemptNumber).toBe(0);
  });

  it('turns conversation.creation into a thread-opened job keyed on portal + thread', () => {
    expect(classifyEvent({ ...envelope, subscriptionType: 'conversation.creation' })).toEqual({
      kind: 'job',
      job: {
        name: JobName.ThreadOpened,
        jobId: 'open-22761544-3624100517',
        data: {
          portalId: '22761544',
          threadId: '3624100517',
          occurredAt: 1670383777358,
          attemptNumber: 2,
          auditPath: '/admin/conversations/3624100517',
        },
      },
    });
  });

  it.each([
    ['assignedTo', 'A-123', 'A-123'],
    ['assignedTo', '', ''],
    ['assignedTo', null, ''],
    ['status', 'CLOSED', 'CLOSED'],
  ])('turns a %s change (%p) into a thread-changed job', (propertyName, propertyValue, expected) => {
    const c = classifyEvent({
      ...envelope,
      subscriptionType: 'conversation.propertyChange',
      propertyName,
      propertyValue,
    });
    expect(c).toMatchObject({
      kind: 'job',
      job: { name: JobName.ThreadChanged, data: { propertyName, propertyValue: expected } },
    });
  });

  it('gives different changes of one thread different job ids, and the same change the same id', () => {
    const change = { ...envelope, subscriptionType: 'conversation.propertyChange', propertyName: 'status' };
    const ids = [
      classifyEvent({ ...change, propertyValue: 'CLOSED' }),
      classifyEvent({ ...change, propertyValue: 'OPEN' }),
      classifyEvent({ ...change, propertyValue: 'CLOSED', occurredAt: envelope.occurredAt + 1 }),
      classifyEvent({ ...change, propertyValue: 'CLOSED', attemptNumber: 5 }),
    ].map((c) => (c.kind === 'job' ? c.job.jobId : c.kind));
    expect(new Set(ids.slice(0, 3)).size).toBe(3);
    expect(ids[3]).toBe(ids[0]);
  });

  it('ignores changes of untracked thread properties', () => {
    expect(
      classifyEvent({ ...envelope, subscriptionType: 'conversation.propertyChange', propertyName: 'isArchived' }),
    ).toMatchObject({ kind: 'ignored' });
  });

  it.each(['conversation.deletion', 'conversation.privacyDeletion', 'contact.creation'])(
    'ignores %s',
    (subscriptionType) => {
      expect(classifyEvent({ ...envelope, subscriptionType })).toMatchObject({ kind: 'ignored' });
    },
  );

  it.each([null, 42, 'text', [realNewMessage], {}])('marks %p invalid', (raw) => {
    expect(classifyEvent(raw)).toMatchObject({ kind: 'invalid' });
  });

  it.each<unknown>([{ toString: 0 }, { toString: null }, { toString: 'x', valueOf: 1 }, [{ toString: 0 }]])(
    'never throws on hostile values that break String() (%p)',
    (hostile) => {
      expect(classifyEvent({ ...realNewMessage, messageType: hostile })).toMatchObject({ kind: 'ignored' });
      expect(
        classifyEvent({ ...envelope, subscriptionType: 'conversation.propertyChange', propertyName: hostile }),
      ).toMatchObject({ kind: 'ignored' });
      expect(classifyEvent({ ...realNewMessage, messageId: hostile })).toMatchObject({ kind: 'invalid' });
    },
  );
});

describe('classifyEvent and the worker agree on the job contract', () => {
  it.each([
    ['newMessage', realNewMessage],
    ['creation', { ...envelope, subscriptionType: 'conversation.creation' }],
    [
      'propertyChange',
      { ...envelope, subscriptionType: 'conversation.propertyChange', propertyName: 'status', propertyValue: 'CLOSED' },
    ],
    [
      'propertyChange with a 256-char value',
      {
        ...envelope,
        subscriptionType: 'conversation.propertyChange',
        propertyName: 'assignedTo',
        propertyValue: 'x'.repeat(256),
      },
    ],
  ])('every job it makes from %s passes the worker-side validation', (_name, event) => {
    const c = classifyEvent(event);
    if (c.kind !== 'job') throw new Error(`expected a job, got ${c.kind}`);
    expect(parseJobData(c.job.name, c.job.data)).toEqual({ ok: true, data: c.job.data });
  });
});
