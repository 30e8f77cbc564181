import { Redis } from 'ioredis';
import { RedisKeys } from '../../libs/redis/src/redis-keys';
import { HubSpotRequests } from '../fakes/hubspot.fake';
import { itemText, type ModelContext } from '../fakes/openai.fake';
import { ENGINES, historyIdOf, historyOf, modelCallsOf } from '../support/engine-view';
import { AIRTABLE_BASE, SystemHarness } from '../support/system-harness';
import { boardJob, expectAnsweredOnce, jobIdFor, repliesIn, sleep, userItems } from '../support/visitor-turns';

type IngestCounts = { accepted: number; duplicates: number };

/** Echoes the turn's visitor lines (several when fast messages are answered together), after `delayMs`. */
const echo = (delayMs: number) => async (ctx: ModelContext) => {
  await sleep(delayMs);
  return { text: `re: ${userItems(ctx.input).map(itemText).join(' | ')}` };
};

// Fault matrix rows 1 (redelivered webhooks) and 7 (fast messages in one thread).
describe.each(ENGINES)('fault matrix: redeliveries and fast messages (%s engine)', (engine) => {
  let h: SystemHarness;
  let redis: Redis;
  beforeAll(async () => {
    h = await SystemHarness.start({ engine });
    redis = new Redis(h.redis.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await h.stop();
  });
  beforeEach(() => {
    h.airtable.resetRateLimits();
    h.hubspot.clearFaults();
    h.openai.clearFaults();
  });

  const portal = () => String(h.hubspot.portalId);
  const sum = (results: { body: IngestCounts }[], key: keyof IngestCounts) =>
    results.reduce((n, r) => n + r.body[key], 0);
  /** The visitor lines the thread's replies answer, in reply order (one reply may answer a burst of lines). */
  const answeredLines = (threadId: string) =>
    repliesIn(h, threadId).flatMap((r) => r.replace(/^re: /, '').split(' | '));
  /** A message's job: answered by its own turn, or (a burst) skipped as answered with an earlier one. */
  const answeredOrCombined = (returnValue: unknown) =>
    expect(returnValue).toEqual(
      (returnValue as { status?: string }).status === 'answered'
        ? expect.objectContaining({ status: 'answered' })
        : { status: 'skipped', reason: expect.stringMatching(/^answered with /) },
    );
  const mappingRows = (threadId: string) =>
    h.airtable.records(AIRTABLE_BASE, 'Conversations').filter((r) => r.fields['Hubspot Thread ID'] === threadId);
  // The Responses engine maps the thread to its conversation; the chat engine's transcript needs no mapping.
  const mappedRows = engine === 'responses' ? 1 : 0;

  it('row 1: one webhook 5× at once, again mid-turn, after completion and after retention removed the job → one reply', async () => {
    h.openai.setModel(echo(400));
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'hello once');
    const event = h.hubspot.webhookEventFor(message);
    const jobId = jobIdFor(h, message);
    const readsOf = () =>
      h.hubspot.requests.filter(HubSpotRequests.getMessage).filter((r) => r.path.endsWith(message.id));
    // HubSpot retries with the same event and a growing attemptNumber.
    const redeliver = (attemptNumber: number) => h.deliver({ ...event, attemptNumber });

    const burst = await Promise.all([0, 1, 2, 3, 4].map(redeliver));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(sum(burst, 'accepted')).toBe(1);
    expect(sum(burst, 'duplicates')).toBe(4);

    // While the turn runs (the model takes 400 ms).
    const deadline = Date.now() + 5000;
    while ((await (await h.queue.getJob(jobId))?.getState()) !== 'active' && Date.now() < deadline) await sleep(10);
    const midTurn = await Promise.all([5, 6].map(redeliver));
    expect(sum(midTurn, 'duplicates')).toBe(2);

    const first = await h.waitForJob(jobId);
    expect(first.returnvalue).toMatchObject({ status: 'answered', fallback: false });
    const afterDone = await redeliver(7);
    expect(afterDone.body).toMatchObject({ accepted: 0, duplicates: 1 });

    // Retention trims completed jobs; HubSpot may still redeliver. The turn's 'done' marker decides.
    const progress = JSON.parse(
      (await redis.get(RedisKeys.turnProgress({ portalId: portal(), threadId: thread.id }, message.id))) ?? '{}',
    ) as { done?: boolean };
    expect(progress.done).toBe(true);
    for (const attempt of [8, 9]) {
      await (await h.queue.getJob(jobId))!.remove();
      const again = await Promise.all([redeliver(attempt), redeliver(attempt)]);
      expect(sum(again, 'accepted')).toBe(1);
      const skipped = await h.waitForJob(jobId);
      expect(skipped.returnvalue).toEqual({ status: 'skipped', reason: 'already answered' });
    }

    await expectAnsweredOnce(
      h,
      { threadId: thread.id, message, jobId, job: first },
      {
        replies: ['re: hello once'],
        userMessages: 1,
      },
    );
    // Redeliveries of an answered message cost nothing upstream: one read, one model call.
    expect(readsOf()).toHaveLength(1);
    expect(modelCallsOf(h, thread.id)).toHaveLength(1);
    expect(mappingRows(thread.id)).toHaveLength(mappedRows);
  });

  it('row 1: redeliveries while the first attempt waits in backoff collapse into that job', async () => {
    h.openai.setModel(echo(0));
    // The reply is refused once with Retry-After: 1 s, so the job sits delayed long enough to redeliver.
    h.hubspot.rateLimitNext(1, { retryAfterSeconds: 1, match: HubSpotRequests.sendMessage });
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'are you there?');
    const event = h.hubspot.webhookEventFor(message);
    const jobId = jobIdFor(h, message);
    await h.deliver(event);
    const deadline = Date.now() + 5000;
    while ((await (await h.queue.getJob(jobId))?.getState()) !== 'delayed' && Date.now() < deadline) await sleep(10);
    expect(await (await h.queue.getJob(jobId))!.getState()).toBe('delayed');
    const during = await Promise.all([1, 2, 3].map((attemptNumber) => h.deliver({ ...event, attemptNumber })));
    expect(sum(during, 'duplicates')).toBe(3);

    const job = await h.waitForJob(jobId);
    const board = await expectAnsweredOnce(
      h,
      { threadId: thread.id, message, jobId, job },
      {
        replies: ['re: are you there?'],
        userMessages: 1,
      },
    );
    expect(board.job.stacktrace).toEqual([expect.stringContaining('429')]);
  });

  /** Delivers each message as its own webhook, all at once; waits for every job. */
  async function fastMessages(count: number, oneBatch: boolean) {
    const thread = h.hubspot.addThread();
    const base = Date.now();
    const messages = Array.from({ length: count }, (_, i) =>
      h.hubspot.addVisitorMessage(thread.id, `m${i}`, { createdAt: new Date(base + i).toISOString() }),
    );
    const events = messages.map((m) => h.hubspot.webhookEventFor(m));
    if (oneBatch) await h.deliver(...events);
    else await Promise.all(events.map((e) => h.deliver(e)));
    for (const m of messages) await h.waitForJob(jobIdFor(h, m), 'completed', 30_000);
    return { thread, messages };
  }

  it.each([
    ['2 fast messages in one webhook batch', 2, true],
    ['10 fast messages, one webhook each, concurrently', 10, false],
  ])('row 7: %s → answered in order, one conversation, one mapping row', async (_name, count, oneBatch) => {
    h.openai.setModel(echo(20));
    const violationsBefore = h.openai.lockViolations;
    const { thread, messages } = await fastMessages(count, oneBatch);

    // In order, each once: fast messages that waited for the thread's turn are answered together.
    expect(answeredLines(thread.id)).toEqual(messages.map((_, i) => `m${i}`));
    expect(modelCallsOf(h, thread.id)).toHaveLength(repliesIn(h, thread.id).length);
    // One history (historyOf fails on two conversations) with each message once, in order.
    expect(userItems((await historyOf(h, thread.id))!).map(itemText)).toEqual(messages.map((_, i) => `m${i}`));
    const row = { fields: { 'Hubspot Thread ID': thread.id, 'OpenAI Thread ID': historyIdOf(h, thread.id) } };
    expect(mappingRows(thread.id)).toEqual(mappedRows ? [expect.objectContaining(row)] : []);
    expect(h.openai.lockViolations - violationsBefore).toBe(0);
    for (const m of messages) {
      const board = await boardJob(h, jobIdFor(h, m));
      expect(board.status).toBe('completed');
      answeredOrCombined(board.job.returnValue);
    }
  });

  it("row 7: the later message is stored (and picked up) first → the order is still the messages' own", async () => {
    h.openai.setModel(echo(50));
    const thread = h.hubspot.addThread();
    const base = Date.now();
    const first = h.hubspot.addVisitorMessage(thread.id, 'first', { createdAt: new Date(base).toISOString() });
    const second = h.hubspot.addVisitorMessage(thread.id, 'second', { createdAt: new Date(base + 5).toISOString() });
    // Both stored while no worker runs, the later message's job first; one job at a time: it is picked up first.
    await h.stopWorker();
    try {
      await h.deliver(h.hubspot.webhookEventFor(second));
      await h.deliver(h.hubspot.webhookEventFor(first));
    } finally {
      await h.startWorker({ WORKER_CONCURRENCY: '1' });
    }
    try {
      // The second waits for the first turn and is started when it ends (no 5-minute wait: this test would time out).
      for (const m of [first, second]) await h.waitForJob(jobIdFor(h, m), 'completed', 20_000);
      // Both waited for the turn: answered together, in their own order, by the first one's turn.
      expect(repliesIn(h, thread.id)).toEqual(['re: first | second']);
      const secondJob = (await h.queue.getJob(jobIdFor(h, second)))!;
      expect(secondJob.processedOn!).toBeGreaterThanOrEqual((await h.queue.getJob(jobIdFor(h, first)))!.finishedOn!);
    } finally {
      await h.stopWorker();
      await h.startWorker();
    }
  });

  it('row 7: the first of two fast messages is slower to read from HubSpot → still answered first', async () => {
    h.openai.setModel(echo(0));
    const thread = h.hubspot.addThread();
    const base = Date.now();
    const first = h.hubspot.addVisitorMessage(thread.id, 'first', { createdAt: new Date(base).toISOString() });
    const second = h.hubspot.addVisitorMessage(thread.id, 'second', { createdAt: new Date(base + 1).toISOString() });
    // HubSpot's latency varies per request: the earlier message's read takes 300 ms longer.
    h.hubspot.setLatency((r) => (HubSpotRequests.getMessage(r) && r.path.endsWith(first.id) ? 300 : 0));
    try {
      await Promise.all([first, second].map((m) => h.deliver(h.hubspot.webhookEventFor(m))));
      for (const m of [first, second]) await h.waitForJob(jobIdFor(h, m));
    } finally {
      h.hubspot.setLatency(0);
    }
    expect(answeredLines(thread.id)).toEqual(['first', 'second']);
  });
});
