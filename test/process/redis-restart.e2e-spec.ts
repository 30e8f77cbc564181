import request from 'supertest';
import { messageJobId } from '@app/contracts';
import type { HubSpotMessage, HubSpotThread } from '../fakes/hubspot.fake';
import { itemText } from '../fakes/openai.fake';
import { eventJobsQueue } from '../support/bull-board-client';
import { SystemHarness } from '../support/system-harness';
import { until, userItems } from '../support/visitor-turns';
import { WorkerProcess } from '../support/worker-process';

const MODEL_LATENCY_MS = 1500;
const WORKERS = 2;
const CONCURRENCY = 2;

describe('Redis restarted while turns are in flight (AOF on)', () => {
  let h: SystemHarness;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    h = await SystemHarness.start({
      inProcessWorker: false,
      listaFirme: false,
      // Thread → conversation mappings live in Redis only, so they too must survive the restart.
      airtable: false,
      // Every write Redis acknowledged (a job the api answered 200 for) is on disk before the reply.
      redis: { appendfsync: 'always' },
      // Production lock and stalled settings: an outage of a few seconds must not look like a dead worker.
      workerEnv: { WORKER_CONCURRENCY: String(CONCURRENCY) },
    });
    for (let i = 0; i < WORKERS; i++) {
      workers.push(await WorkerProcess.start(`worker-${i}`, { ...h.workerEnv, LOG_LEVEL: 'info' }));
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await h?.stop();
  });

  const api = () => h.api.getHttpServer();

  it('keeps queued and in-flight work, answers 503 while down, recovers without a restart, answers each message once', async () => {
    h.openai.setModelLatency(MODEL_LATENCY_MS);
    // A thread's second message may wait for the first's turn and be answered with it: echo every line.
    h.openai.setModel((ctx) => ({ text: `re: ${userItems(ctx.input).map(itemText).join(' | ')}` }));

    // Six threads with one message each, two of them with a second message: more than the four turns
    // the workers run at once, so some jobs are in flight and the rest wait (queued, or delayed behind
    // their thread's turn).
    const threads: HubSpotThread[] = Array.from({ length: 6 }, () => h.hubspot.addThread());
    const messages: HubSpotMessage[] = threads.map((t, i) => h.hubspot.addVisitorMessage(t.id, `question ${i}`));
    messages.push(h.hubspot.addVisitorMessage(threads[0].id, 'question 0, again'));
    messages.push(h.hubspot.addVisitorMessage(threads[1].id, 'question 1, again'));
    const res = await h.deliver(...messages.map((m) => h.hubspot.webhookEventFor(m)));
    expect(res.body).toEqual({ accepted: 8, duplicates: 0, ignored: 0, invalid: 0 });

    const modelCalls = () => h.openai.received('POST', '/v1/responses').length;
    await until(modelCalls, (n) => n >= WORKERS * CONCURRENCY, 'turns in flight at the model');
    const inFlight = modelCalls();
    const answersBefore = h.hubspot.sentMessages().length;

    await h.redis.stop();

    // A message written during the outage: refused with 503 (HubSpot retries), never 200-and-dropped.
    const late = h.hubspot.addVisitorMessage(threads[2].id, 'written during the outage');
    const started = Date.now();
    const refused = await h.deliver(h.hubspot.webhookEventFor(late));
    expect(refused.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await request(api()).get('/health/ready')).status).toBe(503);
    const workerReady = await fetch(`http://127.0.0.1:${workers[0].port}/health/ready`);
    expect(workerReady.status).toBe(503);
    // The model calls in flight end while Redis is down: their results wait in the workers for Redis.
    await until(
      () => h.openai.responses().length,
      (n) => n >= inFlight,
      'the in-flight model calls to end',
    );
    expect(h.hubspot.sentMessages().length).toBe(answersBefore);

    await h.redis.restart();

    // The same api process answers again once its connection is back.
    await until(
      async () => (await request(api()).get('/health/ready')).status,
      (s) => s === 200,
      'the api to be ready again',
    );
    // HubSpot redelivers the refused event.
    const redelivered = await until(
      () => h.deliver(h.hubspot.webhookEventFor(late)),
      (r) => r.status === 200,
      'the redelivery to be accepted',
    );
    expect(redelivered.body).toMatchObject({ accepted: 1 });
    messages.push(late);

    await Promise.all(
      messages.map((m) =>
        h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: m.id }), 'completed', 20_000),
      ),
    );

    // Every message answered exactly once, in order per thread (a reply may answer two); one conversation per thread.
    for (const thread of threads) {
      const asked = messages.filter((m) => m.conversationsThreadId === thread.id).map((m) => m.text);
      const replies = h.hubspot.sentMessages(thread.id).map((s) => s.message.text);
      expect(replies.flatMap((r) => r.replace(/^re: /, '').split(' | '))).toEqual(asked);
      const conversations = h.openai.conversations().filter((c) => c.metadata.hubspot_thread_id === thread.id);
      expect(conversations).toHaveLength(1);
      expect(userItems(conversations[0].items).map(itemText)).toEqual(asked);
    }
    expect(h.openai.lockViolations).toBe(0);

    // Bull Board shows all nine jobs completed, none failed or stuck.
    const board = await eventJobsQueue(api(), 'completed');
    expect(board.counts).toMatchObject({ completed: 9, failed: 0, active: 0, waiting: 0, delayed: 0 });
    // Each answered by its own turn, or together with the earlier message of its thread.
    for (const { returnValue } of board.jobs) {
      const status = (returnValue as { status?: string }).status;
      expect(returnValue).toEqual(
        status === 'answered'
          ? expect.objectContaining({ status })
          : { status: 'skipped', reason: expect.stringMatching(/^answered with /) },
      );
    }
    // The outage cost no retry and did not make a live worker's job look stalled.
    expect(board.jobs.map((j) => [j.attempts, j.stalledCounter ?? 0])).toEqual(Array(9).fill([1, 0]));
    for (const w of workers) await request(`http://127.0.0.1:${w.port}`).get('/health/ready').expect(200);
  }, 45_000);
});
