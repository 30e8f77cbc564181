import { JobName } from '@app/contracts';
import { SystemHarness } from '../support/system-harness';

/** A job written by anything but the api (an operator tool, a mistake) cannot steer the worker. */
describe('the worker validates every job against the contract before acting', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start();
  });
  afterAll(() => h.stop());

  const upstreamCalls = () =>
    h.hubspot.requests.length + h.openai.requests.length + h.airtable.requests.length + h.listaFirme.requests.length;

  const good = {
    portalId: '22761544',
    threadId: '3624100517',
    messageId: 'abc123',
    occurredAt: 1670383777358,
    attemptNumber: 0,
    auditPath: '/admin/conversations/3624100517',
  };

  it.each([
    [
      'message.received with a path in threadId',
      JobName.MessageReceived,
      { ...good, threadId: '../../crm/v3/x' },
      'threadId',
    ],
    ['message.received with a numeric portalId', JobName.MessageReceived, { ...good, portalId: 22761544 }, 'portalId'],
    [
      'message.received with a foreign auditPath',
      JobName.MessageReceived,
      { ...good, auditPath: '//evil.example' },
      'auditPath',
    ],
    [
      'thread.opened with a query in threadId',
      JobName.ThreadOpened,
      { ...good, threadId: '1?archived=true' },
      'threadId',
    ],
    [
      'thread.changed with an untracked property',
      JobName.ThreadChanged,
      { ...good, propertyName: 'ownerId', propertyValue: 'A-1' },
      'propertyName',
    ],
  ])('%s fails permanently, naming the field, with 0 upstream calls', async (_name, jobName, data, field) => {
    const before = upstreamCalls();
    const jobId = `bad-${field}-${Date.now()}`;
    await h.queue.add(jobName, data, { jobId, attempts: 5, backoff: { type: 'fixed', delay: 50 } });
    const job = await h.waitForJob(jobId, 'failed');
    expect(job.failedReason).toMatch(new RegExp(`^invalid job data: ${field} `));
    expect(job.attemptsMade).toBe(1); // UnrecoverableError: no retries
    expect(upstreamCalls()).toBe(before);
  });
});
