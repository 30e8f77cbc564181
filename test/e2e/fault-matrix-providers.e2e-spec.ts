import { FALLBACK_ANSWER } from '../../apps/worker/src/engines/answer-texts';
import { OpenAiConfig } from '../../apps/worker/src/config/config-sections';
import { HubSpotRequests } from '../fakes/hubspot.fake';
import { FakeOpenAI, itemText, type ModelContext, type ModelTurn } from '../fakes/openai.fake';
import { ENGINES, historyOf } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { conversationsOf, expectAnsweredOnce, sleep, userItems, visitorSays } from '../support/visitor-turns';

const echo = (ctx: ModelContext): ModelTurn => ({ text: `re: ${itemText(userItems(ctx.input).at(-1))}` });
const nulls = { email: null, firstname: null, lastname: null, phone: null, company: null, jobtitle: null };

// Fault matrix rows 4 (OpenAI) and 5 (HubSpot). Each case: the visitor's message is answered
// exactly once (or, for a permanent error, fails at once and visibly), nothing is lost. Row 4 runs
// on both engines; row 5 too (its fallback paths run through the engine's turn).
describe.each(ENGINES)('fault matrix: OpenAI and HubSpot faults (%s engine)', (engine) => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({ engine, workerEnv: { OPENAI_TIMEOUT_MS: '1000', HUBSPOT_TIMEOUT_MS: '2000' } });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.airtable.resetRateLimits();
    h.hubspot.clearFaults();
    h.openai.clearFaults();
    h.openai.setModel(echo);
  });

  /** Arrival times of the requests matching `match` from index `since` of the fake's log. */
  const arrivals = (fake: { requests: { at: number }[] }, since: number, match: (r: never) => boolean) =>
    fake.requests
      .slice(since)
      .filter(match as (r: unknown) => boolean)
      .map((r) => r.at);

  describe('row 4: OpenAI', () => {
    it('429 rate_limit_exceeded with Retry-After 2 s: the retry waits for it, answered once', async () => {
      h.openai.rateLimitNext(1, 2, FakeOpenAI.modelCall);
      const since = h.openai.requests.length;
      const turn = await visitorSays(h, 'rate limited?');
      const board = await expectAnsweredOnce(h, turn, { replies: ['re: rate limited?'], userMessages: 1 });
      expect(board.job.stacktrace).toEqual([expect.stringContaining('429')]);
      const [refused, retried] = arrivals(h.openai, since, FakeOpenAI.modelCall);
      expect(retried - refused).toBeGreaterThanOrEqual(2000);
    });

    it('a transient 500 is retried by the queue, answered once', async () => {
      h.openai.serverErrorNext(500, 1, FakeOpenAI.modelCall);
      const turn = await visitorSays(h, 'server error?');
      const board = await expectAnsweredOnce(h, turn, { replies: ['re: server error?'], userMessages: 1 });
      expect(board.job.stacktrace).toEqual([expect.stringContaining('500')]);
    });

    it('a model request that never answers times out (OPENAI_TIMEOUT_MS) and is sent again, answered once', async () => {
      h.openai.hangNext(1, FakeOpenAI.modelCall);
      const since = h.openai.requests.length;
      const turn = await visitorSays(h, 'hanging?');
      const board = await expectAnsweredOnce(h, turn, { replies: ['re: hanging?'], userMessages: 1 });
      // Under Jest the SDK reports its own timeout as a connection error (see realmSafeFetch).
      expect(board.job.stacktrace).toEqual([
        expect.stringMatching(/(responses|chat\.completions)\.create: (Connection error|Request timed out)/),
      ]);
      const [hung, retried] = arrivals(h.openai, since, FakeOpenAI.modelCall);
      expect(retried - hung).toBeGreaterThanOrEqual(1000);
    });

    // Only the Conversations API locks a conversation; a chat transcript is ours alone.
    if (engine === 'responses')
      it('conversation_locked (another client holds the conversation) is retried after the lock frees, answered once', async () => {
        const first = await visitorSays(h, 'first');
        const [conversation] = conversationsOf(h, first.threadId);
        h.openai.setModel(async (ctx) => {
          if (itemText(userItems(ctx.input).at(-1)) === 'external') {
            await sleep(1500);
            return { text: 'external done' };
          }
          return echo(ctx);
        });
        // Someone else (another tool, an operator script) runs a response on the same conversation.
        const posts = () => h.openai.received('POST', '/v1/responses').length;
        const before = posts();
        const external = fetch(`${h.openai.url}/v1/responses`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${h.worker!.get(OpenAiConfig).apiKey}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ model: 'gpt-test', conversation: conversation.id, input: 'external' }),
        });
        while (posts() === before) await sleep(5);
        const violationsBefore = h.openai.lockViolations;

        const since = h.openai.requests.length;
        const second = await visitorSays(h, 'second', { threadId: first.threadId });
        expect((await external).status).toBe(200);
        const board = await expectAnsweredOnce(h, second, { replies: ['re: first', 're: second'], userMessages: 1 });
        expect(board.job.stacktrace).toEqual([expect.stringContaining('conversation_locked')]);
        // One refused attempt, then one retry no sooner than the lock's back-off (2 s): no storm.
        expect(h.openai.lockViolations - violationsBefore).toBe(1);
        const [locked, retried] = arrivals(h.openai, since, FakeOpenAI.modelCall);
        expect(retried - locked).toBeGreaterThanOrEqual(2000);
      });

    it('malformed tool-call arguments become an error output the model reads; answered once, no retry', async () => {
      const lookups = h.listaFirme.requests.length;
      h.openai.setModel((ctx) => {
        const output = ctx.input.find((i) => i.type === 'function_call_output');
        if (output) return { text: `The lookup said: ${String(output.output)}` };
        return { toolCalls: [{ name: 'get_company', arguments: '{"cui": "14837428", "fields": [' }] };
      });
      const turn = await visitorSays(h, 'Is 14837428 active?');
      const board = await expectAnsweredOnce(h, turn, {
        replies: ['The lookup said: {"error":"arguments are not valid JSON"}'],
        userMessages: 1,
      });
      expect(board.job.stacktrace).toEqual([]);
      expect(h.listaFirme.requests.length).toBe(lookups); // nothing ran on garbage
    });

    it('insufficient_quota is permanent: failed at once, one model call, the fallback once, failed in Bull Board', async () => {
      h.openai.quotaExceededNext(1, FakeOpenAI.modelCall);
      const since = h.openai.requests.length;
      const turn = await visitorSays(h, 'quota?', { state: 'failed' });
      await sleep(1000); // a retry would have come by now (backoff 100 ms)
      const board = await expectAnsweredOnce(h, turn, { replies: [FALLBACK_ANSWER], state: 'failed' });
      expect(board.job).toMatchObject({ attempts: 1, failedReason: expect.stringContaining('insufficient_quota') });
      expect(arrivals(h.openai, since, FakeOpenAI.modelCall)).toHaveLength(1);
    });
  });

  describe('row 5: HubSpot', () => {
    it('429 TEN_SECONDLY_ROLLING with Retry-After on the message read: retried after it, answered once', async () => {
      h.hubspot.rateLimitNext(1, { retryAfterSeconds: 1, match: HubSpotRequests.getMessage });
      const since = h.hubspot.requests.length;
      const turn = await visitorSays(h, 'read limited?');
      const board = await expectAnsweredOnce(h, turn, { replies: ['re: read limited?'], userMessages: 1 });
      expect(board.job.stacktrace).toEqual([expect.stringMatching(/429.*ten_secondly_rolling/i)]);
      const [refused, retried] = arrivals(h.hubspot, since, HubSpotRequests.getMessage);
      expect(retried - refused).toBeGreaterThanOrEqual(1000);
    });

    it('429 on the reply after a contact tool ran: the contact is created once and the reply posted once', async () => {
      const email = `visitor.${Date.now()}@client.ro`;
      h.openai.setModel((ctx) =>
        ctx.input.some((i) => i.type === 'function_call_output')
          ? { text: 'Saved your details.' }
          : {
              toolCalls: [{ name: 'create_contact', arguments: { ...nulls, email, firstname: 'Vera' } }],
            },
      );
      h.hubspot.rateLimitNext(1, { retryAfterSeconds: 1, match: HubSpotRequests.sendMessage });
      const since = h.hubspot.requests.length;
      const creates = () => h.hubspot.received('POST', '/crm/v3/objects/contacts').length;
      const createsBefore = creates();
      const turn = await visitorSays(h, `I am Vera, ${email}`);

      const board = await expectAnsweredOnce(h, turn, { replies: ['Saved your details.'], userMessages: 1 });
      expect(board.job.stacktrace).toEqual([expect.stringContaining('429')]);
      expect(h.hubspot.allContacts().filter((c) => c.properties.email === email)).toHaveLength(1);
      expect(creates() - createsBefore).toBe(1);
      // Two posts: the refused one and the retry, no sooner than Retry-After.
      const [refused, retried, ...more] = arrivals(h.hubspot, since, HubSpotRequests.sendMessage);
      expect(more).toEqual([]);
      expect(retried - refused).toBeGreaterThanOrEqual(1000);
    });

    it('401 (token revoked) is permanent: failed at once with one attempt, no retry storm, failed in Bull Board', async () => {
      h.hubspot.unauthorizedNext(Infinity);
      const since = h.hubspot.requests.length;
      const turn = await visitorSays(h, 'anyone?', { state: 'failed' });
      await sleep(1000); // a retry would have come by now (backoff 100 ms)
      // No reply is possible without a token; the job is failed, visible and retryable from the board.
      const board = await expectAnsweredOnce(h, turn, { replies: [], state: 'failed' });
      expect(board.job).toMatchObject({ attempts: 1, failedReason: expect.stringContaining('401') });
      // The read, and the fallback's attempt to read again before replying; nothing more.
      expect(h.hubspot.requests.slice(since).map((r) => `${r.method} ${r.path}`)).toEqual([
        expect.stringMatching(/^GET .*\/messages\//),
        expect.stringMatching(/^GET .*\/messages\//),
      ]);
      // Nothing reached the model: no conversation, no tokens spent on an answer nobody can receive.
      expect(await historyOf(h, turn.threadId)).toBeUndefined();
    });
  });
});
