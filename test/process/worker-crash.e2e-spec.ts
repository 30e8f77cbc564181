import { RedisKeys } from '../../libs/redis/src/redis-keys';
import Redis from 'ioredis';
import { messageJobId } from '@app/contracts';
import type { FakeHttpServer, RecordedRequest } from '../fakes/fake-http-server';
import { HubSpotRequests } from '../fakes/hubspot.fake';
import { FakeOpenAI, itemText, type ModelContext, type ModelTurn } from '../fakes/openai.fake';
import { eventJobsQueue } from '../support/bull-board-client';
import { ENGINES, historyOf, modelCallsOf } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { until, userItems } from '../support/visitor-turns';
import { WorkerProcess } from '../support/worker-process';

// Short lock and stalled check so a dead worker's job is taken over within seconds (defaults: 120 s / 30 s).
const LOCK_MS = 2000;
const STALLED_INTERVAL_MS = 1000;

const inputHas = (type: string) => (r: RecordedRequest) =>
  FakeOpenAI.createResponse(r) &&
  Array.isArray((r.body as { input?: unknown }).input) &&
  (r.body as { input: { type?: string; role?: string }[] }).input.some((i) =>
    type === 'user' ? i.role === 'user' : i.type === type,
  );
/** The same request points on the Chat Completions engine: the newest message is the visitor's, or a tool reply. */
const lastMessageIs = (role: string) => (r: RecordedRequest) =>
  FakeOpenAI.createChatCompletion(r) && (r.body as { messages: { role: string }[] }).messages.at(-1)?.role === role;
const contactCreate = (r: RecordedRequest) => r.method === 'POST' && r.path === '/crm/v3/objects/contacts';

const nulls = { email: null, firstname: null, lastname: null, phone: null, company: null, jobtitle: null };

/** Visitor scope: save the visitor's own details, then confirm from the tool's output. */
function saveDetailsModel(email: string) {
  return (ctx: ModelContext): ModelTurn => {
    const output = ctx.input.find((i) => i.type === 'function_call_output');
    if (!output) return { toolCalls: [{ name: 'create_contact', arguments: { ...nulls, email, firstname: 'Ion' } }] };
    const result = JSON.parse(String(output.output)) as { saved?: boolean };
    return {
      text: result.saved ? 'Saved your details.' : `Not saved: ${String(output.output)}`,
    };
  };
}

// Two worker boots and a lock expiry per scenario; a failure should report its reason, not the timeout.
jest.setTimeout(45_000);

describe.each(ENGINES)('a worker process killed mid-turn: a second one takes the job over (%s engine)', (engine) => {
  let h: SystemHarness;
  const workers: WorkerProcess[] = [];
  const chat = engine === 'chat-completions';
  const userSent = chat ? lastMessageIs('user') : inputHas('user');
  const outputsSent = chat ? lastMessageIs('tool') : inputHas('function_call_output');

  beforeAll(async () => {
    h = await SystemHarness.start({
      engine,
      inProcessWorker: false,
      listaFirme: false,
      workerEnv: {
        WORKER_LOCK_DURATION_MS: String(LOCK_MS),
        WORKER_STALLED_INTERVAL_MS: String(STALLED_INTERVAL_MS),
        // Only the crash may end the first attempt, never a client timeout.
        OPENAI_TIMEOUT_MS: '60000',
        HUBSPOT_TIMEOUT_MS: '60000',
      },
    });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    h.hubspot.clearFaults();
    h.openai.clearFaults();
    h.airtable.resetRateLimits();
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map((w) => w.crash()));
    await h?.stop();
  });

  async function spawnWorker(name: string): Promise<WorkerProcess> {
    const worker = await WorkerProcess.start(name, { ...h.workerEnv, LOG_LEVEL: 'info' });
    workers.push(worker);
    return worker;
  }

  /**
   * A visitor writes `text`; the first worker's request matching `hold` is applied by `fake` and never
   * answered; the first worker is SIGKILLed right then and a second worker is started.
   */
  async function crashWhile(
    text: string,
    fake: FakeHttpServer,
    hold: (r: RecordedRequest) => boolean,
    thread = h.hubspot.addThread(),
  ) {
    const first = await spawnWorker('first');
    const message = h.hubspot.addVisitorMessage(thread.id, text);
    const jobId = messageJobId({ portalId: String(h.hubspot.portalId), messageId: message.id });
    const heldBefore = fake.held.length;
    fake.inject({ match: hold, respond: 'apply-and-hang' });
    expect((await h.deliver(h.hubspot.webhookEventFor(message))).body).toMatchObject({ accepted: 1 });

    await until(
      () => fake.held.length,
      (n) => n > heldBefore,
      `${fake.name} to hold the request`,
    );
    expect((await first.crash()).signal).toBe('SIGKILL');
    const crashedAt = Date.now();
    const second = await spawnWorker('second');
    const job = await h.waitForJob(jobId, 'completed', 20_000);
    const takeoverMs = Date.now() - crashedAt;
    const history = await historyOf(h, thread.id);
    return { first, second, thread, message, jobId, job, takeoverMs, history };
  }

  /** The visitor's thread is bound to this contact (as a claim: create_contact returns no id). */
  async function expectBoundTo(run: Awaited<ReturnType<typeof crashWhile>>, contactId: string) {
    const redis = new Redis(h.redis.url);
    try {
      const state = await redis.hgetall(
        RedisKeys.threadState({ portalId: String(h.hubspot.portalId), threadId: run.thread.id }),
      );
      expect(state.contactId).toBe(contactId);
    } finally {
      await redis.quit();
    }
  }

  /** The guarantees every crash point must keep. */
  async function expectAnsweredOnce(run: Awaited<ReturnType<typeof crashWhile>>, answer: string) {
    const { first, second, thread, message, jobId, job, history, takeoverMs } = run;
    // Exactly one reply, the right one.
    const sent = h.hubspot.sentMessages(thread.id);
    expect(sent.map((s) => s.message.text)).toEqual([answer]);
    // One history (conversation or transcript) holding the visitor's message once.
    expect(userItems(history!).map(itemText)).toEqual([message.text]);
    // Not lost, not failed: completed by the second worker after BullMQ found it stalled; no retry spent.
    expect(job.returnvalue).toMatchObject({ status: 'answered', replyMessageIds: [sent[0].message.id] });
    expect(job.stalledCounter).toBe(1);
    expect(job.attemptsMade).toBe(1);
    // Not before the dead worker's lock expired (renewed every LOCK_MS / 2, so at least that much was left).
    expect(takeoverMs).toBeGreaterThanOrEqual(LOCK_MS / 2);
    const handled = (w: WorkerProcess) => w.logs().filter((l) => l.msg === 'message handled' && l.jobId === jobId);
    // Log lines reach us through a pipe, possibly after the job's completion did.
    await until(
      () => handled(second).length,
      (n) => n > 0,
      'the second worker to log the handled message',
      5000,
    );
    expect(handled(first)).toHaveLength(0);
    expect(handled(second)).toHaveLength(1);

    // What an operator sees in Bull Board: the job completed, marked as having stalled once.
    const board = await eventJobsQueue(h.api.getHttpServer(), 'completed');
    expect(board.jobs.find((j) => j.id === jobId)).toMatchObject({
      stalledCounter: 1,
      returnValue: { status: 'answered' },
    });
    expect(board.counts).toMatchObject({ active: 0, waiting: 0, delayed: 0, failed: 0 });

    // HubSpot redelivers the event, and our reply's own webhook arrives: neither answers again.
    expect((await h.deliver(h.hubspot.webhookEventFor(message))).body).toMatchObject({ duplicates: 1 });
    // Our reply's webhook is recognised at ingestion (its own-message mark): no job at all.
    expect((await h.deliver(h.hubspot.webhookEventFor(sent[0].message))).body).toMatchObject({ ignored: 1 });
    expect(
      await h.queue.getJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: sent[0].message.id })),
    ).toBeUndefined();
    expect(h.hubspot.sentMessages(thread.id)).toHaveLength(1);
  }

  it('(a) after the user message was added to the history: recovered from it, the visitor text not added twice', async () => {
    h.openai.setModel((ctx) => ({ text: `Answer to: ${itemText(userItems(ctx.input).at(-1))}` }));
    const run = await crashWhile('What are your opening hours?', h.openai, userSent);

    await expectAnsweredOnce(run, 'Answer to: What are your opening hours?');
    if (chat) {
      // A stateless server kept nothing of the lost answer: the model is asked again, from the transcript.
      expect(modelCallsOf(h, run.thread.id)).toHaveLength(2);
      return;
    }
    // The answer OpenAI produced before the crash is the one posted: the model ran once.
    expect(modelCallsOf(h, run.thread.id)).toHaveLength(1);
    expect(run.second.logs().some((l) => l.msg === 'resuming an interrupted turn' && l.applied === true)).toBe(true);
  });

  it('(b) while a side-effecting tool ran (contact created, answer lost): one contact, bound to the visitor', async () => {
    // The e-mail HubSpot knows for this visitor (chat delivery identifier): the retry's 409 proves it is theirs.
    const thread = h.hubspot.addThread();
    const email = `visitor-${thread.associatedContactId}@example.com`;
    h.openai.setModel(saveDetailsModel(email));
    const run = await crashWhile('Please save my details', h.hubspot, contactCreate, thread);

    const contacts = h.hubspot.allContacts().filter((c) => c.properties.email === email);
    expect(contacts).toHaveLength(1);
    await expectAnsweredOnce(run, 'Saved your details.');
    await expectBoundTo(run, contacts[0].id);
    // The call had no recorded output, so it ran again: HubSpot's 409 made the second create a no-op.
    expect(h.hubspot.requests.filter((r) => contactCreate(r) && JSON.stringify(r.body).includes(email))).toHaveLength(
      2,
    );
  });

  it('(b) after a side-effecting tool returned (its output was being sent): the tool is not run again', async () => {
    const email = `ana.${Date.now()}@borg.ro`;
    h.openai.setModel(saveDetailsModel(email));
    const run = await crashWhile('Save my details please', h.openai, outputsSent);

    const contacts = h.hubspot.allContacts().filter((c) => c.properties.email === email);
    expect(contacts).toHaveLength(1);
    await expectAnsweredOnce(run, 'Saved your details.');
    await expectBoundTo(run, contacts[0].id);
    expect(h.hubspot.requests.filter((r) => contactCreate(r) && JSON.stringify(r.body).includes(email))).toHaveLength(
      1,
    );
    // Chat Completions: the request carrying the outputs is sent again (the held one was lost).
    expect(modelCallsOf(h, run.thread.id)).toHaveLength(chat ? 3 : 2);
  });

  it('(c) after the reply was posted, before the job completed: the posted reply is found, not posted again', async () => {
    h.openai.setModel(() => ({ text: 'We are open 9 to 17.' }));
    const run = await crashWhile('When are you open?', h.hubspot, HubSpotRequests.sendMessage);

    await expectAnsweredOnce(run, 'We are open 9 to 17.');
    expect(modelCallsOf(h, run.thread.id)).toHaveLength(1);
  });

  describe('at a handoff (HANDOFF_ASSIGNEE_ACTOR_ID set)', () => {
    const ASSIGNEE = 'A-2620022';
    const isNote = (r: RecordedRequest) =>
      HubSpotRequests.sendMessage(r) && (r.body as { type?: string }).type === 'COMMENT';
    beforeAll(() => {
      h.workerEnv.HANDOFF_ASSIGNEE_ACTOR_ID = ASSIGNEE;
    });
    afterAll(() => {
      delete h.workerEnv.HANDOFF_ASSIGNEE_ACTOR_ID;
    });

    it.each([
      ['(d) while the note was being posted', isNote],
      ['(e) while the assignment was being made', HubSpotRequests.assignee],
    ])('%s: one reply, one note, one assignment', async (_name, hold) => {
      const run = await crashWhile('I want to talk to a person', h.hubspot, hold);
      // Answered without the model (no history): one reply, completed by the second worker, no retry spent.
      const sent = h.hubspot.sentMessages(run.thread.id);
      expect(sent.map((m) => m.message.text)).toEqual([
        "Thanks! I've passed this conversation to a colleague, who will reply here shortly.",
      ]);
      expect(run.job.returnvalue).toMatchObject({ status: 'answered', replyMessageIds: [sent[0].message.id] });
      expect(run.job.stalledCounter).toBe(1);
      expect(run.job.attemptsMade).toBe(1);
      expect(h.hubspot.sentNotes(run.thread.id)).toHaveLength(1);
      expect(h.hubspot.assigneeCalls(run.thread.id).map((c) => [c.method, c.actorId, c.status])).toEqual([
        ['PUT', ASSIGNEE, 200],
      ]);
      expect(h.hubspot.getThread(run.thread.id)!.assignedTo).toBe(ASSIGNEE);
      expect(modelCallsOf(h, run.thread.id)).toHaveLength(0);
    });
  });
});
