import { Redis } from 'ioredis';
import request from 'supertest';
import type { ConversationOutcomeRecord } from '../../libs/audit/src';
import { JobName } from '../../libs/contracts/src';
import { RedisKeys } from '../../libs/redis/src/redis-keys';
import type { WorkerConfig } from '../../apps/worker/src/config/worker-config';
import { FIXED_TEXTS } from '../../apps/worker/src/profiles/fixed-texts';
import { HubSpotRequests } from '../fakes/hubspot.fake';
import { itemText, type ModelContext } from '../fakes/openai.fake';
import { ENGINES } from '../support/engine-view';
import { MetricsSnapshot } from '../support/prometheus-text';
import { SystemHarness } from '../support/system-harness';
import { repliesIn, userItems, visitorSays } from '../support/visitor-turns';

const HOUR = 3_600_000;
const echo = (ctx: ModelContext) => ({ text: `re: ${itemText(userItems(ctx.input).at(-1))}` });
const M = (name: string) => `chat_assistant_${name}`;
const EN = FIXED_TEXTS.en;
const BUTTONS = [
  { label: EN.feedbackHelped, value: EN.feedbackHelped, valueType: 'TEXT' },
  { label: EN.feedbackMoreHelp, value: EN.feedbackMoreHelp, valueType: 'TEXT' },
];

// Issue 18, "visitor feedback": buttons under every 2nd answer (FEEDBACK_EVERY_N_ANSWERS=2), a tap
// counted once (a failed reply post retries the turn), "I need more help" hands off.
describe.each(ENGINES)('visitor feedback (%s engine)', (engine) => {
  let now = Date.parse('2026-12-07T10:00:00Z');
  let h: SystemHarness;
  let redis: Redis;
  let sweeps = 0;
  const freezeClock = (config: WorkerConfig) => Object.assign(config.outcomes, { now: () => now });
  type Attachment = { type: string; quickReplies?: { label: string; value: string; valueType: string }[] };
  const buttonsOf = (threadId: string) =>
    h.hubspot
      .sentMessages(threadId)
      .map((s) => (s.body as { attachments?: Attachment[] }).attachments?.find((a) => a.type === 'QUICK_REPLIES'));
  const scrape = async () =>
    new MetricsSnapshot((await request(h.worker!.getHttpServer()).get('/metrics').expect(200)).text);
  const recordOf = async (threadId: string) => {
    const json = await redis.get(RedisKeys.outcomeRecord({ portalId: String(h.hubspot.portalId), threadId }));
    return json ? (JSON.parse(json) as ConversationOutcomeRecord) : undefined;
  };
  async function sweep(): Promise<void> {
    const job = await h.queue.add(JobName.OutcomeSweep, {}, { jobId: `feedback-sweep-${++sweeps}` });
    await h.waitForJob(job.id!);
  }
  /** Two questions answered by the model: the second answer carries the buttons. */
  async function answeredTwice(): Promise<string> {
    const { threadId } = await visitorSays(h, 'Do you ship to Cluj?');
    await visitorSays(h, 'How long does it take?', { threadId });
    return threadId;
  }

  beforeAll(async () => {
    h = await SystemHarness.start({
      engine,
      inProcessWorker: false,
      workerEnv: { FEEDBACK_EVERY_N_ANSWERS: '2', OUTCOME_SWEEP_SECONDS: '86400' },
    });
    await h.startWorker({}, freezeClock);
    redis = new Redis(h.redis.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await h.stop();
  });
  beforeEach(() => {
    now += 2 * 24 * HOUR;
    h.openai.setModel(echo);
  });

  it('offers the buttons under every 2nd answer only, once though its post is retried, localised', async () => {
    const { threadId } = await visitorSays(h, 'Do you ship to Cluj?');
    // The answer with the buttons fails to post once: the retry posts the same decision, once.
    h.hubspot.inject({ match: HubSpotRequests.sendMessage, respond: { status: 503, body: { message: 'busy' } } });
    const second = await visitorSays(h, 'How long does it take?', { threadId });
    expect(second.job.attemptsMade).toBe(2); // the 503, then the retry
    await visitorSays(h, 'And the price?', { threadId });
    expect(repliesIn(h, threadId)).toEqual([
      're: Do you ship to Cluj?',
      're: How long does it take?',
      're: And the price?',
    ]);
    expect(buttonsOf(threadId)).toEqual([undefined, { type: 'QUICK_REPLIES', quickReplies: BUTTONS }, undefined]);

    const ro = h.hubspot.addThread();
    await redis.hset(
      RedisKeys.threadState({ portalId: String(h.hubspot.portalId), threadId: ro.id }),
      'language',
      'ro',
    );
    await visitorSays(h, 'Livrați în Cluj?', { threadId: ro.id });
    await visitorSays(h, 'Cât durează livrarea?', { threadId: ro.id });
    expect(buttonsOf(ro.id)[1]?.quickReplies?.map((q) => q.label)).toEqual([
      FIXED_TEXTS.ro.feedbackHelped,
      FIXED_TEXTS.ro.feedbackMoreHelp,
    ]);
  });

  it('"That helped": thanked without the model, counted once though the turn is retried, and the conversation resolves', async () => {
    const threadId = await answeredTwice();
    const calls = h.openai.modelCalls().length;
    const before = await scrape();
    // The thanks' first post fails: the turn runs again and must not count the tap twice.
    h.hubspot.inject({ match: HubSpotRequests.sendMessage, respond: { status: 503, body: { message: 'busy' } } });
    const tap = await visitorSays(h, 'that helped!', { threadId });
    expect(tap.job.attemptsMade).toBe(2);
    expect(repliesIn(h, threadId).at(-1)).toBe(EN.feedbackThanks);
    expect(repliesIn(h, threadId)).toHaveLength(3);
    expect(h.openai.modelCalls()).toHaveLength(calls);
    const after = await scrape();
    expect(after.delta(before, M('feedback_total'), { feedback: 'helped' })).toBe(1);
    expect(after.delta(before, M('feedback_total'), { feedback: 'more_help' })).toBe(0);

    now += 24 * HOUR;
    await sweep();
    expect(await recordOf(threadId)).toMatchObject({ outcome: 'resolved', feedback: { helped: 1, moreHelp: 0 } });
  });

  it('"I need more help" hands off: the handoff text, the agents\' note, and a handed_off outcome', async () => {
    const threadId = await answeredTwice();
    const before = await scrape();
    await visitorSays(h, EN.feedbackMoreHelp, { threadId });
    expect(repliesIn(h, threadId).at(-1)).toBe(EN.handoff);
    const state = await redis.hgetall(RedisKeys.threadState({ portalId: String(h.hubspot.portalId), threadId }));
    expect(state.handedOff).toBe('feedback: the visitor needs more help');
    const notes = h.hubspot.sentNotes(threadId);
    expect(notes).toHaveLength(1);
    expect(notes[0].message.text).toContain('Handed over: the visitor tapped "I need more help" under an answer.');
    const after = await scrape();
    expect(after.delta(before, M('feedback_total'), { feedback: 'more_help' })).toBe(1);
    expect(after.delta(before, M('handoffs_total'), { reason: 'visitor_request' })).toBe(1);

    now += 24 * HOUR;
    await sweep();
    expect(await recordOf(threadId)).toMatchObject({
      outcome: 'handed_off',
      category: 'visitor_request',
      feedback: { helped: 0, moreHelp: 1 },
    });
  });
});
