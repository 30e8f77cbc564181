import { messageJobId } from '@app/contracts';
import { FALLBACK_ANSWER, NO_ANSWER_TEXT } from '../../apps/worker/src/engines/answer-texts';
import { HubSpotRequests } from '../fakes/hubspot.fake';
import { FakeOpenAI, itemText } from '../fakes/openai.fake';
import { ENGINES, historyOf, modelCallsOf } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { userItems } from '../support/visitor-turns';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(ENGINES)('turn guarantees (%s engine)', (engine) => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({
      engine,
      workerEnv: { OPENAI_TIMEOUT_MS: '1000', HUBSPOT_TIMEOUT_MS: '500', ASSISTANT_MAX_TOOL_ROUNDS: '3' },
    });
    h.listaFirme.seedCompany({ TaxCode: '14837428', Name: 'BORG DESIGN SRL', Status: 'functiune' });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.airtable.resetRateLimits();
    h.hubspot.clearFaults();
    h.hubspot.setLatency(0);
    h.openai.clearFaults();
  });

  /** A visitor writes `text` in a new (or given) thread; resolves when its job reaches `state`. */
  async function visitorSays(text: string, opts: { threadId?: string; state?: 'completed' | 'failed' } = {}) {
    const threadId = opts.threadId ?? h.hubspot.addThread().id;
    const message = h.hubspot.addVisitorMessage(threadId, text);
    await h.deliver(h.hubspot.webhookEventFor(message));
    const job = await h.waitForJob(
      messageJobId({ portalId: String(h.hubspot.portalId), messageId: message.id }),
      opts.state ?? 'completed',
      15_000,
    );
    const history = await historyOf(h, threadId);
    return { threadId, message, job, history, sent: h.hubspot.sentMessages(threadId) };
  }

  it('a retry after a failed reply resumes: no second user message, no tool re-run, one reply', async () => {
    h.openai.setModel((ctx) =>
      ctx.input.some((i) => i.type === 'function_call_output')
        ? { text: 'It is active.' }
        : { toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: ['Status'] } }] },
    );
    h.hubspot.serverErrorNext(503, HubSpotRequests.sendMessage);
    const lookupsBefore = h.listaFirme.fieldsRequested.length;
    const responsesBefore = h.openai.modelCalls().length;

    const { job, history, sent } = await visitorSays('Is 14837428 active?');
    // Exactly one failed attempt (the injected 503); BullMQ's attemptsMade also counts the success.
    expect((job.stacktrace ?? []).map((t) => t.split('\n')[0])).toEqual([expect.stringContaining('503')]);
    expect(sent.map((s) => s.message.text)).toEqual(['It is active.']);
    expect(userItems(history!)).toHaveLength(1);
    expect(h.listaFirme.fieldsRequested.length - lookupsBefore).toBe(1);
    expect(h.openai.modelCalls().length - responsesBefore).toBe(2);
  });

  // Responses: recovered from the conversation, not sent again; Chat Completions (stateless): asked again.
  it('a model response lost to a timeout adds nothing twice', async () => {
    // The first call outlives the client's 1 s timeout but completes at OpenAI.
    let slow = true;
    h.openai.setModel(async (ctx) => {
      if (slow && userItems(ctx.input).some((i) => JSON.stringify(i).includes('slow question'))) {
        slow = false;
        await sleep(1500);
      }
      return { text: 'Recovered answer' };
    });
    const { job, history, sent } = await visitorSays('slow question');
    expect(job.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(userItems(history!)).toHaveLength(1);
    expect(sent.map((s) => s.message.text)).toEqual(['Recovered answer']);
    const asked = h.openai.requests.filter((r) => FakeOpenAI.modelCall(r) && JSON.stringify(r.body).includes('slow'));
    if (engine === 'chat-completions') expect(asked).toHaveLength(2);
  });

  it('recovery never mistakes an identical earlier message for the interrupted one', async () => {
    let answers = 0;
    h.openai.setModel(async (ctx) => {
      answers += 1;
      if (answers === 2) await sleep(1500); // the second "ok" outlives the client timeout
      return { text: `answer ${answers} to ${itemText(userItems(ctx.input).at(-1))}` };
    });
    const first = await visitorSays('ok');
    const second = await visitorSays('ok', { threadId: first.threadId });
    // The Responses engine recovers the lost answer; the stateless one asks again (a third answer).
    const lost = engine === 'responses' ? 'answer 2 to ok' : 'answer 3 to ok';
    expect(second.sent.map((s) => s.message.text)).toEqual(['answer 1 to ok', lost]);
    expect(userItems(second.history!)).toHaveLength(2);
  });

  it('a reply post that timed out but landed is not posted again', async () => {
    h.openai.setModel(() => ({ text: 'Posted once' }));
    // HubSpot stores the message after 800 ms; the worker gives up waiting after 500 ms.
    h.hubspot.setLatency((req) => (HubSpotRequests.sendMessage(req) ? 800 : 0));
    const { job, sent } = await visitorSays('hello?');
    expect(job.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(sent.map((s) => s.message.text)).toEqual(['Posted once']);
    expect(job.returnvalue).toMatchObject({ status: 'answered', replyMessageIds: [sent[0].message.id] });
  });

  it('a permanent failure (insufficient_quota) fails fast with one fallback reply', async () => {
    h.openai.quotaExceededNext(1, FakeOpenAI.modelCall);
    const { job, sent } = await visitorSays('anyone there?', { state: 'failed' });
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain('insufficient_quota');
    expect(sent.map((s) => s.message.text)).toEqual([FALLBACK_ANSWER]);
  });

  it('after the last retry the visitor gets the fallback once and the job stays failed', async () => {
    h.openai.serverErrorNext(500, 10, FakeOpenAI.modelCall);
    const { job, sent } = await visitorSays('are you down?', { state: 'failed' });
    expect(job.attemptsMade).toBe(4);
    expect(sent.map((s) => s.message.text)).toEqual([FALLBACK_ANSWER]);
    expect(await h.queue.getFailedCount()).toBeGreaterThanOrEqual(1);
  });

  // Chat Completions has no failed or cancelled response; its terminal finish reasons are length and content_filter.
  it.each(
    engine === 'responses'
      ? [
          ['incomplete', { status: 'incomplete', reason: 'max_output_tokens' } as const],
          ['failed', { status: 'failed', error: { code: 'server_error', message: 'x' } } as const],
          ['cancelled', { status: 'cancelled' } as const],
        ]
      : [
          ['length', { status: 'incomplete', reason: 'max_output_tokens' } as const],
          ['content_filter', { status: 'incomplete', reason: 'content_filter' } as const],
        ],
  )('a %s response still answers, with the no-answer text (the bot stays on the thread)', async (_name, turn) => {
    h.openai.setModel(() => turn);
    const { job, sent } = await visitorSays(`status test ${_name}`);
    expect(job.returnvalue).toMatchObject({ status: 'answered', fallback: true });
    expect(sent.map((s) => s.message.text)).toEqual([NO_ANSWER_TEXT]);
  });

  it('bounds tool rounds and closes the dangling calls so the next turn works', async () => {
    h.openai.setModel(() => ({ toolCalls: [{ name: 'search_companies', arguments: { query: `q${Math.random()}` } }] }));
    const first = await visitorSays('loop forever');
    expect(first.sent.map((s) => s.message.text)).toEqual([NO_ANSWER_TEXT]);
    expect(modelCallsOf(h, first.threadId)).toHaveLength(4);

    h.openai.setModel(() => ({ text: 'Back to normal' }));
    const second = await visitorSays('and now?', { threadId: first.threadId });
    expect(second.sent.map((s) => s.message.text)).toEqual([NO_ANSWER_TEXT, 'Back to normal']);
  });

  it('refuses a fourth identical call and reports invalid arguments to the model', async () => {
    const seen: string[] = [];
    h.openai.setModel((ctx) => {
      for (const o of ctx.input.filter((i) => i.type === 'function_call_output')) seen.push(String(o.output));
      // Two rounds of the same three calls, then an answer (counted per conversation).
      if (ctx.history.filter((i) => i.type === 'function_call').length >= 6) return { text: 'done' };
      return {
        toolCalls: [
          { name: 'search_companies', arguments: { query: 'Borg' } },
          { name: 'search_companies', arguments: { query: 'Borg' } },
          { name: 'get_company', arguments: '{"cui": "14837428", "fields": [' },
        ],
      };
    });
    await visitorSays('repeat yourself');
    expect(seen.filter((o) => o.includes('already made'))).toHaveLength(1);
    expect(seen.filter((o) => o.includes('not valid JSON')).length).toBeGreaterThanOrEqual(1);
    expect(seen.filter((o) => o.includes('BORG DESIGN')).length).toBe(3);
  });

  it('answers fast messages of one thread in order, one turn at a time, across two workers', async () => {
    h.openai.setModel(async (ctx) => {
      await sleep(30);
      // Fast messages that waited for the thread's turn are answered together: echo every line.
      return { text: `re: ${userItems(ctx.input).map(itemText).join(' | ')}` };
    });
    const second = await h.startWorker();
    const first = h.worker;
    const thread = h.hubspot.addThread();
    const base = Date.now();
    const messages = Array.from({ length: 6 }, (_, i) =>
      h.hubspot.addVisitorMessage(thread.id, `m${i}`, { createdAt: new Date(base + i).toISOString() }),
    );
    const violationsBefore = h.openai.lockViolations;
    await Promise.all(messages.map((m) => h.deliver(h.hubspot.webhookEventFor(m))));
    for (const m of messages) {
      await h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: m.id }), 'completed', 20_000);
    }
    const texts = h.hubspot.sentMessages(thread.id).map((s) => s.message.text);
    // In order, each line answered once (one reply may answer several).
    expect(texts.flatMap((t) => t.replace(/^re: /, '').split(' | '))).toEqual(messages.map((_, i) => `m${i}`));
    // One history (one conversation: historyOf fails on two) holding each message once.
    expect(userItems((await historyOf(h, thread.id))!)).toHaveLength(messages.length);
    expect(h.openai.lockViolations - violationsBefore).toBe(0);
    await second.close();
    h.worker = first;
  });
});
