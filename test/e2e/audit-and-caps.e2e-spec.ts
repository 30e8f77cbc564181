import { Redis } from 'ioredis';
import request from 'supertest';
import { costDayKey, costThreadKey, utcDay, type TurnAuditRecord } from '@app/audit';
import { messageJobId } from '@app/contracts';
import type { FakeItem } from '../fakes/openai.fake';
import { BOARD_PASSWORD, BOARD_USER } from '../support/api-harness';
import { MetricsSnapshot } from '../support/prometheus-text';
import { IDENTITY_TEXTS } from '../../apps/worker/src/identity/identity-texts';
import { ENGINES, historyIdOf, modelUsage } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';

const CAP_MESSAGE = 'Spending limit reached: a colleague takes over from here.';
const fnOutputs = (items: readonly FakeItem[]) => items.filter((i) => i.type === 'function_call_output');

interface ConversationView {
  threadId: string;
  totals: { tokens: number; credits: number; turns: number };
  turns: TurnAuditRecord[];
}

describe.each(ENGINES)('audit trail and cost caps (%s engine)', (engine) => {
  let h: SystemHarness;
  const admin = (path: string) => request(h.api.getHttpServer()).get(path).auth(BOARD_USER, BOARD_PASSWORD);
  const scrape = async () =>
    new MetricsSnapshot((await request(h.worker!.getHttpServer()).get('/metrics').expect(200)).text);
  const M = (name: string) => `chat_assistant_${name}`;

  beforeAll(async () => {
    h = await SystemHarness.start({ engine, workerEnv: { CAP_MESSAGE } });
    h.listaFirme.seedCompany({ TaxCode: '14837428', Name: 'BORG DESIGN SRL', Status: 'functiune', NACE: '6201' });
  });
  afterAll(() => h.stop());
  beforeEach(() => h.airtable.resetRateLimits());

  /** One visitor message through the whole system; resolves when its job completed. */
  async function converse(threadId: string, text: string) {
    const message = h.hubspot.addVisitorMessage(threadId, text);
    const event = h.hubspot.webhookEventFor(message);
    expect((await h.deliver(event)).status).toBe(200);
    const job = await h.waitForJob(messageJobId({ portalId: String(event.portalId), messageId: message.id }));
    return { message, job };
  }

  it('records a turn with two tool calls: arguments, status, cost, response ids, tokens, reply id', async () => {
    h.openai.setModel((ctx) =>
      fnOutputs(ctx.input).length === 0
        ? {
            toolCalls: [
              { name: 'search_companies', arguments: { query: 'Borg Design office@borg.ro' } },
              { name: 'get_company', arguments: { cui: 'RO14837428', fields: ['Name', 'Status', 'NACE'] } },
            ],
          }
        : { text: 'BORG DESIGN SRL is active.' },
    );
    const thread = h.hubspot.addThread();
    const responsesBefore = h.openai.modelCalls().length;
    const before = await scrape();
    const { message, job } = await converse(thread.id, 'Is Borg Design active?');
    const after = await scrape();

    const res = await admin(`/admin/conversations/${thread.id}`).expect(200);
    const view = res.body as ConversationView;
    expect(view.turns).toHaveLength(1);
    const [turn] = view.turns;
    const responses = modelUsage(h, responsesBefore);
    const tokens = responses.reduce((sum, r) => sum + r.input + r.output, 0);
    const [reply] = h.hubspot.sentMessages(thread.id);
    expect(turn).toMatchObject({
      version: 1,
      threadId: thread.id,
      messageId: message.id,
      jobId: job.id,
      attempts: 1,
      errors: [],
      profile: 'support',
      conversationId: historyIdOf(h, thread.id),
      outcome: 'answered',
      responseIds: responses.map((r) => r.id),
      usage: {
        inputTokens: responses.reduce((s, r) => s + r.input, 0),
        outputTokens: responses.reduce((s, r) => s + r.output, 0),
      },
      credits: 0.21, // Name 0.05 + Status 0.05 + NACE 0.11, as the register charged
      replyMessageIds: [reply.message.id],
    });
    expect(responses).toHaveLength(2);
    expect(h.listaFirme.creditsSpent).toBeCloseTo(0.21);
    const tools = [...turn.tools].sort((a, b) => a.name.localeCompare(b.name));
    expect(tools).toEqual([
      {
        name: 'get_company',
        arguments: { cui: 'RO14837428', fields: ['Name', 'Status', 'NACE'] },
        status: 'ok',
        durationMs: expect.any(Number),
        credits: 0.21,
      },
      {
        name: 'search_companies',
        arguments: { query: 'Borg Design o***@borg.ro' }, // contact data masked even in a register query
        status: 'ok',
        durationMs: expect.any(Number),
        credits: 0,
      },
    ]);
    expect(Date.parse(turn.finishedAt)).toBeGreaterThanOrEqual(Date.parse(turn.startedAt));
    expect(turn.latencyMs).toBeGreaterThanOrEqual(0);
    // Added latency = what the visitor waited minus model and tool time.
    expect(turn.addedLatencyMs).toBe(Math.max(0, turn.latencyMs! - turn.modelMs! - turn.toolMs!));
    expect(turn.modelMs).toBeGreaterThanOrEqual(0);
    expect(view.totals).toEqual({ tokens, credits: 0.21, turns: 1 });
    // Totals expire: a thread's with the audit's retention (default 30 days), a day's after 400 days.
    const redis = new Redis(h.redis.url);
    try {
      const threadTtl = await redis.ttl(costThreadKey(thread.id));
      expect(threadTtl).toBeGreaterThan(30 * 86_400 - 60);
      expect(threadTtl).toBeLessThanOrEqual(30 * 86_400);
      const dayTtl = await redis.ttl(costDayKey(utcDay(Date.now())));
      expect(dayTtl).toBeGreaterThan(399 * 86_400);
      expect(dayTtl).toBeLessThanOrEqual(400 * 86_400);
    } finally {
      redis.disconnect();
    }

    // The same turn in the metrics: exact increments.
    const delta = (name: string, labels: Record<string, string> = {}) => after.delta(before, M(name), labels);
    expect(delta('turns_total', { outcome: 'answered' })).toBe(1);
    expect(delta('tool_calls_total', { tool: 'get_company', status: 'ok' })).toBe(1);
    expect(delta('tool_calls_total', { tool: 'search_companies', status: 'ok' })).toBe(1);
    expect(delta('openai_tokens_total', { direction: 'input' })).toBe(turn.usage.inputTokens);
    expect(delta('openai_tokens_total', { direction: 'output' })).toBe(turn.usage.outputTokens);
    expect(delta('listafirme_credits_total')).toBeCloseTo(0.21);
    expect(delta('turn_latency_seconds_count', { outcome: 'answered' })).toBe(1);
    expect(delta('turn_duration_seconds_count', { outcome: 'answered' })).toBe(1);
    expect(delta('turn_added_latency_seconds_count', { outcome: 'answered' })).toBe(1);
    expect(delta('fallback_replies_total')).toBe(0);

    // Bull Board shows the job's data, which carries the link to this view.
    const board = await admin(`/admin/queues/api/queues/hubspot-events/${job.id}`).expect(200);
    expect(JSON.stringify(board.body)).toContain(`"auditPath":"/admin/conversations/${thread.id}"`);

    // The same record in the JSON-lines export.
    const exported = await admin('/admin/audit/export').expect(200);
    expect(exported.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = exported.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TurnAuditRecord);
    expect(lines.find((l) => l.messageId === message.id)).toEqual(turn);

    const day = await admin('/admin/costs').expect(200);
    expect(day.body).toMatchObject({ tokens: expect.any(Number), turns: expect.any(Number) });
    expect(day.body.credits).toBeGreaterThanOrEqual(0.21);
  });

  it('keeps personal data out of the audit: contact arguments are redacted', async () => {
    h.openai.setModel((ctx) =>
      fnOutputs(ctx.input).length === 0
        ? {
            toolCalls: [
              {
                name: 'create_contact',
                arguments: {
                  email: 'ana.popescu@example.com',
                  firstname: 'Ana',
                  lastname: 'Popescu',
                  phone: '+40 721 234 567',
                  company: null,
                  jobtitle: null,
                },
              },
            ],
          }
        : { text: 'Saved.' },
    );
    const thread = h.hubspot.addThread();
    await converse(thread.id, 'I am Ana Popescu, ana.popescu@example.com, +40 721 234 567');
    const res = await admin(`/admin/conversations/${thread.id}`).expect(200);
    const [turn] = (res.body as ConversationView).turns;
    expect(turn.tools).toEqual([
      expect.objectContaining({
        name: 'create_contact',
        status: 'ok',
        arguments: {
          email: 'a***@example.com',
          firstname: '[3 chars]',
          lastname: '[7 chars]',
          phone: '***67',
          company: null,
          jobtitle: null,
        },
      }),
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/popescu|Ana\b|721 234/i);
  });

  it('records a failed turn: the error of each attempt and the fallback reply', async () => {
    h.openai.setModel(() => ({ text: 'never' }));
    h.openai.quotaExceededNext(1);
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'Hello?');
    const event = h.hubspot.webhookEventFor(message);
    await h.deliver(event);
    const job = await h.waitForJob(messageJobId({ portalId: String(event.portalId), messageId: message.id }), 'failed');
    const [fallback] = h.hubspot.sentMessages(thread.id);
    const [turn] = ((await admin(`/admin/conversations/${thread.id}`).expect(200)).body as ConversationView).turns;
    expect(turn).toMatchObject({
      jobId: job.id,
      outcome: 'fallback',
      attempts: 1,
      replyMessageIds: [fallback.message.id],
      responseIds: [],
    });
    expect(turn.errors).toEqual([expect.stringMatching(/^attempt 1: .*quota/i)]);
  });

  it('answers 401 without the board credentials and 400/404 for bad or unknown threads', async () => {
    const server = h.api.getHttpServer();
    await request(server).get('/admin/conversations/1').expect(401);
    await request(server).get('/admin/audit/export').expect(401);
    await request(server).get('/admin/costs').expect(401);
    await admin('/admin/conversations/not-a-thread').expect(400);
    await admin('/admin/conversations/999999999').expect(404);
    await admin('/admin/audit/export?from=yesterday').expect(400);
  });

  it('a conversation token cap hands the thread to a person instead of calling the model again', async () => {
    await h.stopWorker();
    await h.startWorker({ CAP_MESSAGE, CAP_CONVERSATION_TOKENS: '1' });
    h.openai.setModel(() => ({ text: 'First answer.' }));
    const thread = h.hubspot.addThread();
    const other = h.hubspot.addThread();
    await converse(thread.id, 'Hello');
    const modelCalls = h.openai.modelCalls().length;
    const before = await scrape();

    const { job } = await converse(thread.id, 'And another question');
    expect(h.openai.modelCalls()).toHaveLength(modelCalls); // no model call past the cap
    expect(h.hubspot.sentMessages(thread.id).map((m) => m.body.text)).toEqual(['First answer.', CAP_MESSAGE]);
    expect(job.returnvalue).toMatchObject({ status: 'answered', fallback: false });

    const [, capped] = ((await admin(`/admin/conversations/${thread.id}`).expect(200)).body as ConversationView).turns;
    expect(capped).toMatchObject({ outcome: 'capped', reason: 'conversation token cap', responseIds: [] });
    const after = await scrape();
    expect(after.delta(before, M('turns_total'), { outcome: 'capped' })).toBe(1);
    expect(after.delta(before, M('handoffs_total'), { reason: 'cost_cap' })).toBe(1);

    // The thread is a person's now: the bot stays silent; another visitor's thread is unaffected.
    await converse(thread.id, 'Hello again?');
    expect(h.hubspot.sentMessages(thread.id)).toHaveLength(2);
    await converse(other.id, 'Hi');
    expect(h.hubspot.sentMessages(other.id).map((m) => m.body.text)).toEqual(['First answer.']);
  });

  it('a daily credit cap switches the paid lookups off for everyone and keeps answering (no handoff)', async () => {
    const spentToday = ((await admin('/admin/costs').expect(200)).body as { credits: number }).credits;
    await h.stopWorker();
    await h.startWorker({ CAP_MESSAGE, CAP_DAILY_CREDITS: (spentToday + 0.1).toFixed(2) });
    h.openai.setModel((ctx) => {
      const [output] = fnOutputs(ctx.input);
      if (!output)
        return {
          toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: ['Name', 'Status', 'NACE'] } }],
        };
      return {
        text: String(output.output).includes('BORG DESIGN SRL') ? 'Borg Design SRL is active.' : 'No lookup today.',
      };
    });
    const before = await scrape();
    // The lookup that crosses the cap still counts as answered: the model finishes from its output.
    const first = h.hubspot.addThread();
    await converse(first.id, 'Details for 14837428?');
    expect(h.hubspot.sentMessages(first.id).map((m) => m.body.text)).toEqual(['Borg Design SRL is active.']);

    // From now on, for every visitor: the lookup is refused (no credits), the model answers, the
    // visitor reads why, and nobody is handed to a person.
    const lookups = h.listaFirme.fieldsRequested.length;
    const second = h.hubspot.addThread();
    await converse(second.id, 'Details for 14837428?');
    expect(h.hubspot.sentMessages(second.id).map((m) => m.body.text)).toEqual([
      `No lookup today.\n\n${IDENTITY_TEXTS.en.paidToolsPaused}`,
    ]);
    expect(h.listaFirme.fieldsRequested.length).toBe(lookups);
    const [turn] = ((await admin(`/admin/conversations/${second.id}`).expect(200)).body as ConversationView).turns;
    expect(turn).toMatchObject({ outcome: 'answered', credits: 0 });
    expect(turn.tools).toEqual([
      expect.objectContaining({ name: 'get_company', status: 'refused', error: expect.stringContaining('paused') }),
    ]);
    const after = await scrape();
    expect(after.delta(before, M('daily_cap_actions_total'), { action: 'paid_tool_refused' })).toBe(1);
    expect(after.delta(before, M('handoffs_total'), { reason: 'cost_cap' })).toBe(0);
    // Still on the thread: the next message is answered by the model too.
    h.openai.setModel(() => ({ text: 'Anything else?' }));
    await converse(second.id, 'thanks');
    expect(h.hubspot.sentMessages(second.id).at(-1)!.body.text).toBe('Anything else?');
  });

  it('a daily token cap answers every visitor with a plain line and no model call, without a handoff', async () => {
    await h.stopWorker();
    await h.startWorker({ CAP_MESSAGE, CAP_DAILY_TOKENS: '1' });
    const responses = h.openai.modelCalls().length;
    const thread = h.hubspot.addThread();
    await converse(thread.id, 'Hello?');
    await converse(thread.id, 'Vreau să vorbesc cu cineva');
    expect(h.openai.modelCalls().length).toBe(responses);
    const replies = h.hubspot.sentMessages(thread.id).map((m) => m.body.text);
    // The first message got the daily line, and asking for a person still works.
    expect(replies[0]).toBe(IDENTITY_TEXTS.en.dailyLimit);
    expect(replies).toHaveLength(2);
    const [turn] = ((await admin(`/admin/conversations/${thread.id}`).expect(200)).body as ConversationView).turns;
    expect(turn).toMatchObject({ outcome: 'capped', reason: 'daily token cap' });
    await h.stopWorker();
    await h.startWorker({ CAP_MESSAGE });
  });
});
