import { Redis } from 'ioredis';
import request from 'supertest';
import type { ConversationOutcomeRecord, OutcomeReport } from '../../libs/audit/src';
import { JobName, threadChangedJobId } from '../../libs/contracts/src';
import { RedisKeys } from '../../libs/redis/src/redis-keys';
import type { WorkerConfig } from '../../apps/worker/src/config/worker-config';
import type { SweepResult } from '../../apps/worker/src/outcomes/outcome-sweep.service';
import { itemText, type ModelContext } from '../fakes/openai.fake';
import { MetricsSnapshot } from '../support/prometheus-text';
import { BOARD_PASSWORD, BOARD_USER } from '../support/api-harness';
import { SystemHarness } from '../support/system-harness';
import { userItems, visitorSays } from '../support/visitor-turns';

const HOUR = 3_600_000;
const echo = (ctx: ModelContext) => ({ text: `re: ${itemText(userItems(ctx.input).at(-1))}` });
const M = (name: string) => `chat_assistant_${name}`;

// Issue 18, "outcome per conversation": judged by the worker's repeatable job at a frozen clock
// (OutcomeConfig.now and HandoffConfig.now; no fake timers). Outcomes do not depend on the engine:
// one engine runs these (the model's handoff is the same tool call in both).
describe('conversation outcomes (frozen clock)', () => {
  const MONDAY = Date.parse('2026-12-07T10:00:00Z');
  let now = MONDAY;
  let h: SystemHarness;
  let redis: Redis;
  let sweeps = 0;
  const freezeClocks = (config: WorkerConfig) => {
    Object.assign(config.outcomes, { now: () => now });
    Object.assign(config.handoff, { now: () => now });
  };
  const portalId = () => String(h.hubspot.portalId);
  const recordOf = async (threadId: string) => {
    const json = await redis.get(RedisKeys.outcomeRecord({ portalId: portalId(), threadId }));
    return json ? (JSON.parse(json) as ConversationOutcomeRecord) : undefined;
  };
  /** Runs the outcome job now, as its scheduler would. */
  async function sweep(): Promise<SweepResult> {
    const job = await h.queue.add(JobName.OutcomeSweep, {}, { jobId: `test-sweep-${++sweeps}` });
    return (await h.waitForJob(job.id!)).returnvalue as SweepResult;
  }
  const scrape = async () =>
    new MetricsSnapshot((await request(h.worker!.getHttpServer()).get('/metrics').expect(200)).text);

  beforeAll(async () => {
    h = await SystemHarness.start({
      inProcessWorker: false,
      workerEnv: {
        // Weekdays 09:00-18:00 UTC: the out-of-hours case hands off on a Saturday.
        HANDOFF_BUSINESS_HOURS: 'Mon-Fri 09:00-18:00',
        RESOLUTION_WINDOW_HOURS: '24',
        // The scheduler's own runs stay out of the way: the tests run the job themselves.
        OUTCOME_SWEEP_SECONDS: '86400',
        FEEDBACK_EVERY_N_ANSWERS: '0',
      },
    });
    await h.startWorker({}, freezeClocks);
    redis = new Redis(h.redis.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await h.stop();
  });
  beforeEach(() => h.openai.setModel(echo));

  it('the worker registers the repeatable outcome job with one deterministic scheduler id', async () => {
    const schedulers = await h.queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.name, s.every])).toEqual([
      ['outcomes-sweep', JobName.OutcomeSweep, 86_400_000],
    ]);
  });

  it('resolved when the visitor carried on, abandoned when not; neither before the window passed', async () => {
    now = MONDAY;
    const carried = await visitorSays(h, 'Do you ship to Cluj?');
    await visitorSays(h, 'And how long does it take?', { threadId: carried.threadId });
    const left = await visitorSays(h, 'What are your opening hours?');
    const before = await scrape();

    now = MONDAY + 23 * HOUR;
    expect((await sweep()).decided).toBe(0);
    expect(await recordOf(carried.threadId)).toBeUndefined();

    now = MONDAY + 24 * HOUR;
    expect(await sweep()).toMatchObject({ decided: 2, outcomes: { resolved: 1, abandoned: 1 } });
    expect(await recordOf(carried.threadId)).toMatchObject({
      outcome: 'resolved',
      profile: 'support',
      turns: 2,
      answers: 2,
      startedAt: new Date(MONDAY).toISOString(),
      decidedAt: new Date(MONDAY + 24 * HOUR).toISOString(),
    });
    expect((await recordOf(carried.threadId))!.tokens).toBeGreaterThan(0);
    expect(await recordOf(left.threadId)).toMatchObject({ outcome: 'abandoned', turns: 1, answers: 1 });

    const after = await scrape();
    expect(after.delta(before, M('conversations_total'), { outcome: 'resolved', category: '' })).toBe(1);
    expect(after.delta(before, M('conversations_total'), { outcome: 'abandoned', category: '' })).toBe(1);
    expect(after.delta(before, M('resolved_conversation_tokens_total'))).toBe(
      (await recordOf(carried.threadId))!.tokens,
    );

    // A redelivered (or a second) run decides nothing again and counts nothing twice.
    expect((await sweep()).decided).toBe(0);
    expect((await scrape()).delta(after, M('conversations_total'), { outcome: 'resolved', category: '' })).toBe(0);
  });

  it('handed_off by category: the visitor asked, the model decided, a turn failed, an agent took over', async () => {
    now = MONDAY + 2 * 24 * HOUR; // Wednesday, within hours
    const asked = await visitorSays(h, 'I want to talk to a person');

    h.openai.setModel((ctx) =>
      ctx.history.some((i) => i.type === 'function_call_output')
        ? { text: 'Passing you on.' }
        : { toolCalls: [{ name: 'hand_off_to_human', arguments: { reason: 'wants a custom quote' } }] },
    );
    const decided = await visitorSays(h, 'I need a quote for 300 chairs');

    h.openai.setModel(() => ({ text: 'never' }));
    h.openai.quotaExceededNext(1);
    const failed = await visitorSays(h, 'Hello?', { state: 'failed' });

    h.openai.setModel(echo);
    const taken = await visitorSays(h, 'Where is my order?');
    const event = h.hubspot.propertyChangeEventFor(h.hubspot.getThread(taken.threadId)!, 'assignedTo', 'A-999');
    expect((await h.deliver(event)).status).toBe(200);
    await h.waitForJob(
      threadChangedJobId({
        portalId: portalId(),
        threadId: taken.threadId,
        propertyName: 'assignedTo',
        propertyValue: 'A-999',
        occurredAt: event.occurredAt,
      }),
    );
    const before = await scrape();

    now += 24 * HOUR;
    expect(await sweep()).toMatchObject({ decided: 4, outcomes: { handed_off: 4 } });
    expect(await recordOf(asked.threadId)).toMatchObject({ outcome: 'handed_off', category: 'visitor_request' });
    expect(await recordOf(decided.threadId)).toMatchObject({ outcome: 'handed_off', category: 'model_decision' });
    expect(await recordOf(failed.threadId)).toMatchObject({ outcome: 'handed_off', category: 'turn_failed' });
    expect(await recordOf(taken.threadId)).toMatchObject({
      outcome: 'handed_off',
      category: 'agent_took_over',
      answers: 1,
    });
    const after = await scrape();
    for (const category of ['visitor_request', 'model_decision', 'turn_failed', 'agent_took_over']) {
      expect(after.delta(before, M('conversations_total'), { outcome: 'handed_off', category })).toBe(1);
    }

    // The operator reads them at GET /admin/outcomes (the api, same Redis).
    const day = new Date(now - 24 * HOUR).toISOString().slice(0, 10);
    const res = await request(h.api.getHttpServer())
      .get(`/admin/outcomes?from=${day}&to=${day}T23:59:59Z&outcome=handed_off`)
      .auth(BOARD_USER, BOARD_PASSWORD)
      .expect(200);
    const report = res.body as OutcomeReport;
    expect(report.conversations.map((c) => c.threadId).sort()).toEqual(
      [asked, decided, failed, taken].map((t) => t.threadId).sort(),
    );
    expect(report.totals.byCategory).toMatchObject({
      visitor_request: 1,
      model_decision: 1,
      turn_failed: 1,
      agent_took_over: 1,
    });
  });

  it('a handoff out of hours counts as out_of_hours, in the handoff metric too', async () => {
    now = Date.parse('2026-12-12T20:00:00Z'); // Saturday evening
    const before = await scrape();
    const { threadId } = await visitorSays(h, 'Can I speak to a human?');
    expect((await scrape()).delta(before, M('handoffs_total'), { reason: 'out_of_hours' })).toBe(1);
    now += 24 * HOUR;
    await sweep();
    expect(await recordOf(threadId)).toMatchObject({ outcome: 'handed_off', category: 'out_of_hours' });
  });

  it('a model handoff after a knowledge search found nothing is a knowledge_gap; a cost cap is cost_cap', async () => {
    now = Date.parse('2026-12-16T10:00:00Z');
    h.openai.setModel((ctx) => {
      const outputs = ctx.history.filter((i) => i.type === 'function_call_output').length;
      if (outputs === 0)
        return { toolCalls: [{ name: 'search_knowledge', arguments: { question: 'warranty terms' } }] };
      if (outputs === 1)
        return { toolCalls: [{ name: 'hand_off_to_human', arguments: { reason: 'not in the docs' } }] };
      return { text: 'Passing you on.' };
    });
    const before = await scrape();
    const gap = await visitorSays(h, 'What are your warranty terms for refurbished laptops?');
    expect((await scrape()).delta(before, M('handoffs_total'), { reason: 'knowledge_gap' })).toBe(1);

    await h.stopWorker();
    await h.startWorker({ CAP_CONVERSATION_TOKENS: '1' }, freezeClocks);
    try {
      h.openai.setModel(echo);
      const capped = await visitorSays(h, 'Hello');
      await visitorSays(h, 'And another question', { threadId: capped.threadId });
      now += 24 * HOUR;
      await sweep();
      expect(await recordOf(gap.threadId)).toMatchObject({ outcome: 'handed_off', category: 'knowledge_gap' });
      expect(await recordOf(capped.threadId)).toMatchObject({ outcome: 'handed_off', category: 'cost_cap', turns: 2 });
    } finally {
      await h.stopWorker();
      await h.startWorker({}, freezeClocks);
    }
  });

  it('new activity within the window postpones the decision (a reopened chat is judged as a whole)', async () => {
    now = Date.parse('2026-12-14T09:30:00Z');
    const { threadId } = await visitorSays(h, 'Do you have a price list?');
    now += 8 * HOUR; // 17:30, still within hours
    await visitorSays(h, 'Actually, I want to talk to a person', { threadId });
    now += 20 * HOUR; // 28 h after the first message, 20 h after the last
    await sweep();
    expect(await recordOf(threadId)).toBeUndefined();
    now += 4 * HOUR;
    await sweep();
    expect(await recordOf(threadId)).toMatchObject({ outcome: 'handed_off', category: 'visitor_request', turns: 2 });
  });

  it('AUDIT_STORE_TEXT: the visitor text is kept in the audit only when on, e-mails and phones redacted', async () => {
    now = Date.parse('2026-12-21T10:00:00Z');
    const text = 'Write to ana.pop@example.com or call +40 721 234 567 about order 88';
    const turnsOf = async (threadId: string) =>
      (
        (
          await request(h.api.getHttpServer())
            .get(`/admin/conversations/${threadId}`)
            .auth(BOARD_USER, BOARD_PASSWORD)
            .expect(200)
        ).body as { turns: { visitorText?: string }[] }
      ).turns;
    const off = await visitorSays(h, text);
    expect((await turnsOf(off.threadId))[0].visitorText).toBeUndefined();

    await h.stopWorker();
    await h.startWorker({ AUDIT_STORE_TEXT: 'true' }, freezeClocks);
    try {
      const on = await visitorSays(h, text);
      const [turn] = await turnsOf(on.threadId);
      expect(turn.visitorText).toContain('about order 88');
      expect(turn.visitorText).not.toMatch(/ana\.pop|721 234/);
    } finally {
      await h.stopWorker();
      await h.startWorker({}, freezeClocks);
    }
  });
});
