import { Redis } from 'ioredis';
import { AUDIT_STREAM, type TurnAuditRecord } from '@app/audit';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import { HubSpotRequests, type HubSpotMessage } from '../fakes/hubspot.fake';
import { FakeOpenAI, itemText, type ModelContext } from '../fakes/openai.fake';
import { ENGINES, historyOf, modelCallsOf } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { jobIdFor, repliesIn, sleep, until, userItems } from '../support/visitor-turns';

const LINES = ['I need', 'the company with CUI 14837428', 'and its address, please'];
const COMBINED = `re: ${LINES.join(' | ')}`;

/**
 * Bursts: a visitor's messages that arrive while the thread's turn runs are answered together in
 * the next turn: one model call holding all of them in order, one reply, one HubSpot read each, and
 * each message answered exactly once (its own job skips, "answered with" the turn that answered it),
 * also when that turn's worker dies around its reply.
 */
describe.each(ENGINES)('message bursts (%s engine)', (engine) => {
  let h: SystemHarness;
  let redis: Redis;
  /** The visitor lines each model call received (its new user items), in call order. */
  let seen: string[][];
  let release: () => void;

  beforeAll(async () => {
    h = await SystemHarness.start({
      engine,
      // A short queue lock, so a run that "dies" (its lock taken away) is taken over within seconds;
      // long client timeouts, so only that takeover ends a held request's run.
      workerEnv: {
        WORKER_LOCK_DURATION_MS: '2000',
        WORKER_STALLED_INTERVAL_MS: '1000',
        HUBSPOT_TIMEOUT_MS: '60000',
        OPENAI_TIMEOUT_MS: '60000',
      },
      apiEnv: { JOB_BACKOFF_MS: '200' },
    });
    redis = new Redis(h.redis.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await h.stop();
  });
  beforeEach(() => {
    seen = [];
    const held = new Promise<void>((r) => (release = r));
    // The first turn ("hi") is held until the test releases it; every turn echoes all its lines.
    h.openai.setModel(async (ctx: ModelContext) => {
      const lines = userItems(ctx.input).map(itemText);
      seen.push(lines);
      if (lines.includes('hi')) await held;
      return { text: `re: ${lines.join(' | ')}` };
    });
  });
  afterEach(() => {
    h.hubspot.clearFaults();
    h.openai.clearFaults();
  });

  const reads = (m: HubSpotMessage) =>
    h.hubspot.requests.filter((r) => HubSpotRequests.getMessage(r) && r.path.endsWith(`/${m.id}`)).length;

  async function auditOf(m: HubSpotMessage): Promise<TurnAuditRecord[]> {
    const entries = await redis.xrange(AUDIT_STREAM, '-', '+');
    return entries.map(([, fields]) => JSON.parse(fields[1]) as TurnAuditRecord).filter((r) => r.messageId === m.id);
  }

  /**
   * "hi" starts a turn that the model holds; the burst's lines arrive meanwhile, one webhook each
   * (all stored before that turn ends); `whileHeld` runs before the first turn is released.
   */
  async function burstWhileTurnRuns(lines: string[], whileHeld: () => void = () => undefined) {
    const thread = h.hubspot.addThread();
    const base = Date.now();
    const first = h.hubspot.addVisitorMessage(thread.id, 'hi', { createdAt: new Date(base).toISOString() });
    await h.deliver(h.hubspot.webhookEventFor(first));
    await until(
      () => seen.length,
      (n) => n > 0,
      'the first turn to reach the model',
    );
    const burst = lines.map((text, i) =>
      h.hubspot.addVisitorMessage(thread.id, text, { createdAt: new Date(base + 10 + i).toISOString() }),
    );
    for (const m of burst) expect((await h.deliver(h.hubspot.webhookEventFor(m))).body).toMatchObject({ accepted: 1 });
    whileHeld();
    release();
    return { thread, first, burst };
  }

  /** Every message read once, both turns' lines in the history once each and in order, one model call per turn. */
  async function expectOneCombinedAnswer(thread: { id: string }, first: HubSpotMessage, burst: HubSpotMessage[]) {
    expect(repliesIn(h, thread.id)).toEqual(['re: hi', COMBINED]);
    for (const m of [first, ...burst]) expect(reads(m)).toBe(1);
    expect(userItems((await historyOf(h, thread.id))!).map(itemText)).toEqual(['hi', ...LINES]);
    const [leader, ...members] = burst;
    const leaderJob = (await h.queue.getJob(jobIdFor(h, leader)))!;
    expect(leaderJob.returnvalue).toMatchObject({
      status: 'answered',
      members: members.map((m) => m.id),
      replyMessageIds: [h.hubspot.sentMessages(thread.id)[1].message.id],
    });
    const [leaderAudit] = await auditOf(leader);
    expect(leaderAudit).toMatchObject({ outcome: 'answered', members: members.map((m) => m.id) });
    for (const m of members) {
      const job = (await h.queue.getJob(jobIdFor(h, m)))!;
      const reason = `answered with ${leader.id}`;
      expect(job.returnvalue).toEqual({ status: 'skipped', reason });
      // One audit record per member, written by its own job.
      expect(await auditOf(m)).toEqual([expect.objectContaining({ outcome: 'skipped', reason, replyMessageIds: [] })]);
    }
  }

  async function waitForAll(messages: HubSpotMessage[]) {
    // Members' jobs are started when the burst's turn ends (no 5-minute wait: this would time out).
    for (const m of messages) await h.waitForJob(jobIdFor(h, m), 'completed', 30_000);
  }

  it('three fast messages while a turn runs → one model call with all three in order, one reply', async () => {
    const { thread, first, burst } = await burstWhileTurnRuns(LINES);
    await waitForAll([first, ...burst]);

    expect(seen).toEqual([['hi'], LINES]);
    expect(modelCallsOf(h, thread.id)).toHaveLength(2);
    await expectOneCombinedAnswer(thread, first, burst);
  });

  it('out of HubSpot budget while reading the burst, the turn waits for its unit and still answers all lines together', async () => {
    const budget = 'budget:hubspot:standard';
    const { thread, first, burst } = await burstWhileTurnRuns(LINES, () => {
      // Leave two units of the window (100 per 10 s): the first turn's reply and the next turn's own
      // read; the burst's member reads then find the budget spent and must wait for a reserved unit.
      void (async () => {
        const used = await redis.zcard(budget);
        const now = Date.now();
        const fill = Array.from({ length: Math.max(0, 100 - used - 2) }, (_, i) => [now, `test-fill-${i}`]).flat();
        if (fill.length > 0) await redis.zadd(budget, ...fill);
      })();
    });
    await sleep(50); // the fill is in before the first turn's reply takes its unit
    await waitForAll([first, ...burst]);

    expect(seen).toEqual([['hi'], LINES]);
    await expectOneCombinedAnswer(thread, first, burst);
    const leaderJob = (await h.queue.getJob(jobIdFor(h, burst[0])))!;
    expect(leaderJob.attemptsStarted).toBeGreaterThan(1); // it waited as a delayed job, then answered
  }, 60_000);

  it('a request for a person ends the burst: the lines before it are answered together, then it hands off', async () => {
    const lines = ['I need', 'the company with CUI 14837428', 'I want to talk to a person'];
    const { thread, first, burst } = await burstWhileTurnRuns(lines);
    await waitForAll([first, ...burst]);

    // One model call for the two plain lines; the request for a person gets its own turn, without one.
    expect(seen).toEqual([['hi'], lines.slice(0, 2)]);
    const replies = repliesIn(h, thread.id);
    expect(replies.slice(0, 2)).toEqual(['re: hi', `re: ${lines.slice(0, 2).join(' | ')}`]);
    expect(replies).toHaveLength(3);
    expect((await h.queue.getJob(jobIdFor(h, burst[2])))!.returnvalue).toMatchObject({ status: 'answered' });
    expect((await auditOf(burst[2]))[0]).toMatchObject({ outcome: 'handoff' });
    for (const m of [first, ...burst]) expect(reads(m)).toBe(1);
  });

  it('an agent message ends the burst: the visitor line before it is answered alone, the agent is not answered', async () => {
    const thread = h.hubspot.addThread();
    const base = Date.now();
    const first = h.hubspot.addVisitorMessage(thread.id, 'hi', { createdAt: new Date(base).toISOString() });
    await h.deliver(h.hubspot.webhookEventFor(first));
    await until(
      () => seen.length,
      (n) => n > 0,
      'the first turn to reach the model',
    );
    const line = h.hubspot.addVisitorMessage(thread.id, 'I need', { createdAt: new Date(base + 10).toISOString() });
    const agent = h.hubspot.addAgentMessage(thread.id, 'A colleague here.', {
      createdAt: new Date(base + 11).toISOString(),
    });
    for (const m of [line, agent]) await h.deliver(h.hubspot.webhookEventFor(m));
    release();
    await waitForAll([first, line, agent]);

    expect(seen).toEqual([['hi'], ['I need']]);
    expect((await h.queue.getJob(jobIdFor(h, line)))!.returnvalue).not.toHaveProperty('members');
    expect((await h.queue.getJob(jobIdFor(h, agent)))!.returnvalue).toMatchObject({ status: 'skipped' });
  });

  // The burst's turn "dies" around its reply: its request is held (applied or not) and its queue lock
  // is taken away, as when a worker is killed; the job is taken over and resumes from its progress.
  it.each([
    ['before the reply post reached HubSpot', 'hang'],
    ['after HubSpot stored the reply', 'apply-and-hang'],
  ] as const)(
    'a crash %s → still one reply for the burst, no member answered twice',
    async (_when, respond) => {
      const isBurstReply = (r: { path: string; body: unknown; method: string }) =>
        HubSpotRequests.sendMessage(r as never) && JSON.stringify(r.body).includes(COMBINED);
      h.hubspot.inject({ match: isBurstReply, respond });
      const before = h.hubspot.requests.filter(isBurstReply as never).length;
      const { thread, first, burst } = await burstWhileTurnRuns(LINES);
      await until(
        () => h.hubspot.requests.filter(isBurstReply as never).length,
        (n) => n > before,
        'the burst reply to be sent',
      );
      const leaderJobId = jobIdFor(h, burst[0]);
      await redis.set(`bull:${HUBSPOT_EVENTS_QUEUE}:${leaderJobId}:lock`, 'another-worker-token', 'PX', 1000);
      await waitForAll([first, ...burst]);
      // The dead run's request ends at last: it must not answer again (its progress saves are refused).
      h.hubspot.dropHanging();
      await sleep(500);

      expect((await h.queue.getJob(leaderJobId))!.stalledCounter).toBeGreaterThanOrEqual(1);
      // No second model call for the burst: the resumed turn posts the answer it recorded.
      expect(seen).toEqual([['hi'], LINES]);
      await expectOneCombinedAnswer(thread, first, burst);
    },
    60_000,
  );

  it('a crash while the model call is in flight → the burst is sent again at most, each line in the history once', async () => {
    const isBurstCall = (r: { method: string; path: string; body: unknown }) =>
      FakeOpenAI.modelCall(r as never) && JSON.stringify(r.body).includes(LINES[2]);
    h.openai.inject({ match: isBurstCall, respond: 'apply-and-hang' });
    const before = h.openai.held.length;
    const { thread, first, burst } = await burstWhileTurnRuns(LINES);
    await until(
      () => h.openai.held.length,
      (n) => n > before,
      'the burst model call to be held',
    );
    const leaderJobId = jobIdFor(h, burst[0]);
    await redis.set(`bull:${HUBSPOT_EVENTS_QUEUE}:${leaderJobId}:lock`, 'another-worker-token', 'PX', 1000);
    await waitForAll([first, ...burst]);
    h.openai.dropHanging();
    await sleep(500);

    // Responses: the conversation shows the call was applied and holds the answer (recovered, not re-sent);
    // Chat Completions: nothing came back, so the same lines are sent once more.
    expect(seen).toEqual(engine === 'responses' ? [['hi'], LINES] : [['hi'], LINES, LINES]);
    await expectOneCombinedAnswer(thread, first, burst);
  }, 60_000);
});
