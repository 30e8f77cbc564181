import request from 'supertest';
import { JobName } from '@app/contracts';
import { readFixture } from '../support/fixtures';
import { ApiHarness, newMessageEvent, signedHeaders } from '../support/api-harness';

describe('POST /webhooks/hubspot — accepted batches', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(() => h.stop());
  beforeEach(() => h.queue.obliterate({ force: true }));

  const post = (body: string) => request(h.server).post('/webhooks/hubspot').set(signedHeaders(body)).send(body);

  it('queues the captured newMessage event as one message job carrying ids only', async () => {
    const body = readFixture('webhook-new-message.body.json').toString('utf8');
    const res = await post(body).expect(200);
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, ignored: 0, invalid: 0 });

    const job = await h.queue.getJob('msg-22761544-e835c5f42631462ea4447601c8e1e394');
    expect(job?.name).toBe(JobName.MessageReceived);
    expect(job?.data).toEqual({
      portalId: '22761544',
      threadId: '3624100517',
      messageId: 'e835c5f42631462ea4447601c8e1e394',
      occurredAt: 1670383777358,
      attemptNumber: 0,
      // Bull Board shows the data: this leads an operator to the thread's audit view.
      auditPath: '/admin/conversations/3624100517',
    });
    // Retry policy and retention travel with the job.
    expect(job?.opts.attempts).toBe(h.config.jobs.attempts);
    expect(job?.opts.backoff).toEqual({ type: 'upstream-aware', delay: h.config.jobs.backoffMs });
    expect(job?.opts.removeOnComplete).toEqual({ age: 48 * 3600, count: 100_000 });
    expect(job?.opts.removeOnFail).toEqual({ age: 30 * 86_400 });
  });

  it('collapses redeliveries of the same event into the existing job', async () => {
    const event = newMessageEvent();
    await post(JSON.stringify([event])).expect(200);
    const again = await post(JSON.stringify([{ ...event, attemptNumber: 1, eventId: 42 }])).expect(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1, ignored: 0, invalid: 0 });
    expect(await h.jobIds()).toHaveLength(1);
  });

  it('collapses concurrent deliveries of the same event', async () => {
    const body = JSON.stringify([newMessageEvent()]);
    const results = await Promise.all(Array.from({ length: 5 }, () => post(body)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.reduce((n, r) => n + (r.body as { accepted: number }).accepted, 0)).toBe(1);
    expect(await h.jobIds()).toHaveLength(1);
  });

  it('handles every event of a mixed batch and counts each outcome', async () => {
    const envelope = { portalId: 22761544, objectId: 777, occurredAt: 1670383777358, attemptNumber: 0 };
    const dup = newMessageEvent();
    const batch = [
      newMessageEvent(),
      dup,
      { ...dup, eventId: 2 }, // the same message twice in one batch
      newMessageEvent({ messageType: 'COMMENT' }),
      newMessageEvent({ messageType: 'WELCOME_MESSAGE' }),
      { ...envelope, subscriptionType: 'conversation.creation' },
      {
        ...envelope,
        subscriptionType: 'conversation.propertyChange',
        propertyName: 'assignedTo',
        propertyValue: 'A-1',
      },
      { ...envelope, subscriptionType: 'conversation.propertyChange', propertyName: 'status', propertyValue: 'CLOSED' },
      { ...envelope, subscriptionType: 'conversation.propertyChange', propertyName: 'isArchived' },
      { ...envelope, subscriptionType: 'contact.creation' },
      newMessageEvent({ messageId: undefined }),
      'not an event',
    ];
    const res = await post(JSON.stringify(batch)).expect(200);
    expect(res.body).toEqual({ accepted: 5, duplicates: 1, ignored: 4, invalid: 2 });

    const jobs = await h.queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.name).sort()).toEqual([
      JobName.MessageReceived,
      JobName.MessageReceived,
      JobName.ThreadChanged,
      JobName.ThreadChanged,
      JobName.ThreadOpened,
    ]);
    expect(await h.queue.getJob('open-22761544-777')).toBeDefined();
  });

  it('accepts an empty array', async () => {
    const res = await post('[]').expect(200);
    expect(res.body).toEqual({ accepted: 0, duplicates: 0, ignored: 0, invalid: 0 });
  });

  it('accepts application/json with a charset parameter', async () => {
    const body = JSON.stringify([newMessageEvent()]);
    await request(h.server)
      .post('/webhooks/hubspot')
      .set({ ...signedHeaders(body), 'content-type': 'application/json; charset=utf-8' })
      .send(body)
      .expect(200);
  });

  it('stores every event of many concurrent requests (batched enqueue) and answers each with its own counts', async () => {
    const bodies = Array.from({ length: 60 }, () => JSON.stringify([newMessageEvent(), newMessageEvent()]));
    const results = await Promise.all(bodies.map((b) => post(b)));
    for (const r of results) expect(r.body).toEqual({ accepted: 2, duplicates: 0, ignored: 0, invalid: 0 });
    expect(await h.jobIds()).toHaveLength(120);
  });
});
