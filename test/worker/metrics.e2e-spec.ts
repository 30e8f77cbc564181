import { Redis } from 'ioredis';
import request from 'supertest';
import { JobName, messageJobId, threadChangedJobId } from '@app/contracts';
import { HubSpotRequests } from '../fakes/hubspot.fake';
import type { FakeItem } from '../fakes/openai.fake';
import { BOARD_PASSWORD, TEST_SECRET } from '../support/api-harness';
import { MetricsSnapshot } from '../support/prometheus-text';
import { AIRTABLE_BASE, SystemHarness } from '../support/system-harness';

const UPSTREAM = 'chat_assistant_upstream_requests_total';
const UPSTREAM_SECONDS_COUNT = 'chat_assistant_upstream_request_duration_seconds_count';
const JOBS = 'chat_assistant_jobs_total';
const QUEUE = 'chat_assistant_queue_jobs';
const AIRTABLE_BUDGET = `airtable:${AIRTABLE_BASE}`;

const fnOutputs = (items: readonly FakeItem[]) => items.filter((i) => i.type === 'function_call_output');

describe('worker GET /metrics (whole system against the fakes)', () => {
  let h: SystemHarness;
  let redis: Redis;
  beforeAll(async () => {
    // One Airtable request per second: a new thread's select + upsert makes the upsert wait.
    h = await SystemHarness.start({ workerEnv: { AIRTABLE_REQUESTS_PER_SECOND: '1' } });
    // The harness only init()s the worker; its HTTP routes need Fastify ready.
    await h.worker!.getHttpAdapter().getInstance().ready();
    redis = new Redis(h.redis.url, { maxRetriesPerRequest: 1 });
    h.listaFirme.seedCompany({
      TaxCode: '14837428',
      Name: 'BORG DESIGN SRL',
      Status: 'functiune',
      County: 'BUCURESTI',
    });
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.stop();
  });

  const scrape = async () => {
    const res = await request(h.worker!.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return new MetricsSnapshot(res.text);
  };
  const hubspot = (endpoint: string, status: string) => ({ provider: 'hubspot', endpoint, status });

  it('counts a turn’s upstream calls by provider, endpoint and status (an injected 429 included), and its job outcomes', async () => {
    h.openai.setModel((ctx) => {
      if (fnOutputs(ctx.input).length === 0)
        return { toolCalls: [{ name: 'search_companies', arguments: { query: 'Borg Design' } }] };
      if (ctx.history.filter((i) => i.type === 'function_call').length === 1)
        return { toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: ['Name', 'Status'] } }] };
      return { text: 'BORG DESIGN SRL is active.' };
    });
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'Is Borg Design still active?');
    // The first read of the message is rate limited; the queue retries the job.
    h.hubspot.rateLimitNext(1, { retryAfterSeconds: 0, match: HubSpotRequests.getMessage });
    const before = await scrape();

    await h.deliver(h.hubspot.webhookEventFor(message));
    const job = await h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: message.id }));
    expect(job.attemptsMade).toBe(2);
    const after = await scrape();

    const messagesGet = 'conversations.threads.messages.get';
    expect(after.delta(before, UPSTREAM, hubspot(messagesGet, '429'))).toBe(1);
    expect(after.delta(before, UPSTREAM, hubspot(messagesGet, '200'))).toBe(1);
    expect(after.delta(before, UPSTREAM, hubspot('conversations.threads.messages.create', '201'))).toBe(1);
    // The SDK call for the thread's CRM contact (not in the fake's CRM: 404, the visitor is anonymous).
    expect(after.delta(before, UPSTREAM, hubspot('crm.contacts.get', '404'))).toBe(1);
    expect(after.delta(before, UPSTREAM_SECONDS_COUNT, { provider: 'hubspot', endpoint: messagesGet })).toBe(2);
    const openai = (endpoint: string) => ({ provider: 'openai', endpoint, status: '200' });
    expect(after.delta(before, UPSTREAM, openai('conversations.create'))).toBe(1);
    expect(after.delta(before, UPSTREAM, openai('responses.create'))).toBe(3);
    const airtable = (endpoint: string) => ({ provider: 'airtable', endpoint, status: '200' });
    expect(after.delta(before, UPSTREAM, airtable('records.select'))).toBe(1);
    expect(after.delta(before, UPSTREAM, airtable('records.upsert'))).toBe(1);
    const listaFirme = (endpoint: string) => ({ provider: 'listafirme', endpoint, status: '200' });
    expect(after.delta(before, UPSTREAM, listaFirme('search-v1'))).toBe(1);
    expect(after.delta(before, UPSTREAM, listaFirme('info-v1'))).toBe(1);
    // No failure of any other kind was recorded, and no id ever became a label.
    expect(after.sum(UPSTREAM, { status: '429' }) - before.sum(UPSTREAM, { status: '429' })).toBe(1);
    for (const id of [thread.id, message.id, h.openai.conversations()[0].id]) expect(after.text).not.toContain(id);

    const jobs = (outcome: string) => ({ name: JobName.MessageReceived, outcome });
    expect(after.delta(before, JOBS, jobs('retried'))).toBe(1);
    expect(after.delta(before, JOBS, jobs('completed'))).toBe(1);
    expect(after.delta(before, JOBS, jobs('failed'))).toBe(0);
    expect(after.delta(before, 'chat_assistant_job_duration_seconds_count', { name: JobName.MessageReceived })).toBe(2);

    // The turn, from its audit record: outcome, durations, tool calls, tokens, paid credits.
    const answered = { outcome: 'answered' };
    expect(after.delta(before, 'chat_assistant_turns_total', answered)).toBe(1);
    expect(after.sum('chat_assistant_turns_total') - before.sum('chat_assistant_turns_total')).toBe(1);
    expect(after.delta(before, 'chat_assistant_turn_duration_seconds_count', answered)).toBe(1);
    expect(after.delta(before, 'chat_assistant_turn_latency_seconds_count', answered)).toBe(1);
    const tool = (name: string, status: string) => ({ tool: name, status });
    expect(after.delta(before, 'chat_assistant_tool_calls_total', tool('search_companies', 'ok'))).toBe(1);
    expect(after.delta(before, 'chat_assistant_tool_calls_total', tool('get_company', 'ok'))).toBe(1);
    expect(after.delta(before, 'chat_assistant_tool_call_duration_seconds_count', { tool: 'get_company' })).toBe(1);
    expect(after.delta(before, 'chat_assistant_openai_tokens_total', { direction: 'input' })).toBeGreaterThan(0);
    expect(after.delta(before, 'chat_assistant_openai_tokens_total', { direction: 'output' })).toBeGreaterThan(0);
    expect(after.delta(before, 'chat_assistant_listafirme_credits_total')).toBeGreaterThan(0);
    expect(after.delta(before, 'chat_assistant_fallback_replies_total')).toBe(0);

    // The upsert waited for Airtable's budget (1/s), in process; the select did not.
    const budget = { budget: AIRTABLE_BUDGET };
    expect(after.delta(before, 'chat_assistant_rate_budget_waits_total', budget)).toBe(1);
    expect(after.delta(before, 'chat_assistant_rate_budget_wait_seconds_count', budget)).toBe(2);
    const waited = after.delta(before, 'chat_assistant_rate_budget_wait_seconds_sum', budget);
    expect(waited).toBeGreaterThan(0.3);
    expect(waited).toBeLessThan(2.5);
  });

  it('counts a job that failed for good (a permanent 401) as failed, not retried', async () => {
    h.openai.setModel(() => ({ text: 'ok' }));
    const message = h.hubspot.addVisitorMessage(h.hubspot.addThread().id, 'hello');
    h.hubspot.unauthorizedNext(1, HubSpotRequests.getMessage);
    const before = await scrape();

    await h.deliver(h.hubspot.webhookEventFor(message));
    await h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: message.id }), 'failed');
    const after = await scrape();

    const messagesGet = 'conversations.threads.messages.get';
    expect(after.delta(before, UPSTREAM, hubspot(messagesGet, '401'))).toBe(1);
    expect(after.delta(before, JOBS, { name: JobName.MessageReceived, outcome: 'failed' })).toBe(1);
    expect(after.delta(before, JOBS, { name: JobName.MessageReceived, outcome: 'retried' })).toBe(0);
    expect(after.delta(before, JOBS, { name: JobName.MessageReceived, outcome: 'completed' })).toBe(0);
    // The visitor still got the fallback text, once.
    expect(after.delta(before, 'chat_assistant_fallback_replies_total')).toBe(1);
    expect(after.delta(before, 'chat_assistant_turns_total', { outcome: 'fallback' })).toBe(1);
  });

  it('counts an exhausted budget and the job it delayed (no attempt spent)', async () => {
    h.openai.setModel(() => ({ text: 'ok' }));
    // Other workers used the whole HubSpot budget; it frees up in about 3 s (window 10 s + 10 %).
    const now = Date.now();
    const used = Array.from({ length: 100 }, (_, i) => [String(now - 8000), `other-worker-${i}`]).flat();
    await redis.zadd('budget:hubspot:standard', ...used);
    const before = await scrape();

    const message = h.hubspot.addVisitorMessage(h.hubspot.addThread().id, 'hello');
    await h.deliver(h.hubspot.webhookEventFor(message));
    const job = await h.waitForJob(
      messageJobId({ portalId: String(h.hubspot.portalId), messageId: message.id }),
      'completed',
      15_000,
    );
    expect(job.attemptsMade).toBe(1);
    const after = await scrape();

    expect(after.delta(before, 'chat_assistant_rate_budget_exhausted_total', { budget: 'hubspot:standard' })).toBe(1);
    expect(after.delta(before, JOBS, { name: JobName.MessageReceived, outcome: 'delayed' })).toBe(1);
    expect(after.delta(before, JOBS, { name: JobName.MessageReceived, outcome: 'completed' })).toBe(1);
    expect(after.delta(before, JOBS, { name: JobName.MessageReceived, outcome: 'retried' })).toBe(0);
  });

  it('counts a handoff by reason, and the thread.changed job', async () => {
    const thread = h.hubspot.addThread();
    const event = h.hubspot.propertyChangeEventFor(thread, 'assignedTo', 'A-4242');
    const before = await scrape();

    await h.deliver(event);
    await h.waitForJob(
      threadChangedJobId({
        portalId: String(event.portalId),
        threadId: String(event.objectId),
        propertyName: 'assignedTo',
        propertyValue: 'A-4242',
        occurredAt: event.occurredAt,
      }),
    );
    const after = await scrape();

    expect(after.delta(before, 'chat_assistant_handoffs_total', { reason: 'agent_took_over' })).toBe(1);
    expect(after.sum('chat_assistant_handoffs_total') - before.sum('chat_assistant_handoffs_total')).toBe(1);
    expect(after.delta(before, JOBS, { name: JobName.ThreadChanged, outcome: 'completed' })).toBe(1);
  });

  it('reports the queue depth by state at scrape time', async () => {
    const data = { portalId: '1', threadId: '2', messageId: 'depth', occurredAt: Date.now(), attemptNumber: 0 };
    await h.queue.add(JobName.MessageReceived, data, { jobId: 'depth-1', delay: 3_600_000 });
    await h.queue.add(JobName.MessageReceived, data, { jobId: 'depth-2', delay: 3_600_000 });
    try {
      const m = await scrape();
      const counts = await h.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      // Plus the repeatable outcome job's next run (issue 18), which waits delayed.
      expect(m.value(QUEUE, { state: 'delayed' })).toBe(2 + 1);
      expect(m.value(QUEUE, { state: 'waiting' })).toBe(0);
      expect(m.value(QUEUE, { state: 'active' })).toBe(0);
      expect(m.value(QUEUE, { state: 'failed' })).toBe(counts.failed);
      expect(m.value(QUEUE, { state: 'completed' })).toBe(counts.completed);
      expect(counts.completed).toBeGreaterThanOrEqual(3);
    } finally {
      await h.queue.remove('depth-1');
      await h.queue.remove('depth-2');
    }
    expect((await scrape()).value(QUEUE, { state: 'delayed' })).toBe(1);
  });

  it('reveals none of the configured secrets', async () => {
    const res = await request(h.worker!.getHttpServer()).get('/metrics').expect(200);
    const secrets = Object.entries(h.workerEnv)
      .filter(([name]) => /KEY|TOKEN|SECRET|PASSWORD/.test(name))
      .map(([, value]) => value);
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const secret of [...secrets, TEST_SECRET, BOARD_PASSWORD, h.redis.url]) expect(res.text).not.toContain(secret);
  });

  it('drops the queue depth rather than hang or lie while Redis is down', async () => {
    await h.redis.stop();
    try {
      const started = Date.now();
      const m = await scrape();
      expect(Date.now() - started).toBeLessThan(2500);
      expect(m.value(QUEUE, { state: 'waiting' })).toBeUndefined();
      expect(m.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    } finally {
      await h.redis.restart();
      // Every connection back up before the harness stops (a pending reconnect would outlive it).
      for (let i = 0; i < 100; i++) {
        const ready = await request(h.worker!.getHttpServer()).get('/health/ready');
        if (ready.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await h.queue.getJobCounts('waiting');
      await redis.ping();
    }
    expect((await scrape()).value(QUEUE, { state: 'waiting' })).toBe(0);
  });
});
