import { Redis } from 'ioredis';
import { REOPENED_NOTE } from '../../apps/worker/src/turns/steps/assistant.step';
import { threadChangedJobId } from '@app/contracts';
import { RedisKeys } from '../../libs/redis/src/redis-keys';
import { HubSpotRequests, type SentMessage } from '../fakes/hubspot.fake';
import { itemText, type ModelContext } from '../fakes/openai.fake';
import { ENGINES, modelCallsOf } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { jobIdFor, repliesIn, userItems, visitorSays } from '../support/visitor-turns';

const HANDOFF_MESSAGE = "Thanks! I've passed this conversation to a colleague, who will reply here shortly.";
const ASSIGNEE = 'A-2620022';
const echo = (ctx: ModelContext) => ({ text: `re: ${itemText(userItems(ctx.input).at(-1))}` });

// Issue 14, "a handoff that reaches a person": assignment, the agents' note, agent takeover, reopen.
describe.each(ENGINES)('a handoff that reaches a person (%s engine)', (engine) => {
  let h: SystemHarness;
  let redis: Redis;
  beforeAll(async () => {
    h = await SystemHarness.start({
      engine,
      workerEnv: { HANDOFF_ASSIGNEE_ACTOR_ID: ASSIGNEE, HUBSPOT_TIMEOUT_MS: '500' },
    });
    redis = new Redis(h.redis.url, { maxRetriesPerRequest: 1 });
    h.listaFirme.seedCompany({ TaxCode: '14837428', Name: 'BORG DESIGN SRL', Status: 'functiune' });
  });
  afterAll(async () => {
    redis?.disconnect();
    await h.stop();
  });
  beforeEach(() => {
    h.hubspot.clearFaults();
    h.hubspot.setAssigneePathMissing('dated', false);
    h.hubspot.setAssigneePathMissing('v3', false);
    h.openai.clearFaults();
    h.openai.setModel(echo);
  });

  const ref = (threadId: string) => ({ portalId: String(h.hubspot.portalId), threadId });
  const stateOf = (threadId: string) => redis.hgetall(RedisKeys.threadState(ref(threadId)));
  const notesIn = (threadId: string) => h.hubspot.sentNotes(threadId).map((n: SentMessage) => n.message.text);
  const assignments = (threadId: string) => h.hubspot.assigneeCalls(threadId);
  /** HubSpot tells us a thread property changed; resolves with what the worker returned. */
  async function threadChanged(threadId: string, propertyName: 'assignedTo' | 'status', propertyValue: string) {
    const event = h.hubspot.propertyChangeEventFor(h.hubspot.getThread(threadId)!, propertyName, propertyValue);
    expect((await h.deliver(event)).status).toBe(200);
    const data = {
      portalId: String(event.portalId),
      threadId,
      propertyName,
      propertyValue,
      occurredAt: event.occurredAt,
    };
    return (await h.waitForJob(threadChangedJobId(data))).returnvalue as { status: string; reason: string };
  }
  const requestIndex = (match: (r: (typeof h.hubspot.requests)[number]) => boolean) =>
    h.hubspot.requests.findIndex(match);

  it('the visitor asks for a person: the handoff text, then one note, then one assignment (once under redelivery)', async () => {
    const contact = h.hubspot.addContact({ email: 'ion.popescu@example.com', firstname: 'Ion', lastname: 'Popescu' });
    const thread = h.hubspot.addThread({ associatedContactId: contact.id });
    const text = 'I want to talk to a person. Mail me at ion.popescu@example.com or call +40 721 234 567';
    const message = h.hubspot.addVisitorMessage(thread.id, text);
    const event = h.hubspot.webhookEventFor(message);
    // HubSpot delivers the same event three times at once, and again after the turn.
    await Promise.all([0, 1, 2].map((attemptNumber) => h.deliver({ ...event, attemptNumber })));
    await h.waitForJob(jobIdFor(h, message));
    await h.deliver({ ...event, attemptNumber: 3 });
    await h.waitForJob(jobIdFor(h, message));

    expect(repliesIn(h, thread.id)).toEqual([HANDOFF_MESSAGE]);
    const [note] = notesIn(thread.id);
    expect(notesIn(thread.id)).toHaveLength(1);
    expect(note).toContain('Handed over: the visitor asked for a person.');
    expect(note).toContain("Visitor's language: en");
    expect(note).toContain(`Contact: ${contact.id} (i***@example.com)`);
    expect(note).toContain('Visitor wrote: I want to talk to a person.');
    // No e-mail or phone in clear (redacted as the audit redacts).
    expect(note).not.toContain('ion.popescu@example.com');
    expect(note).not.toMatch(/721 ?234/);
    expect(note.length).toBeLessThanOrEqual(1000);
    // The note is an internal COMMENT: no channel, no recipients, so the visitor never sees it.
    expect(h.hubspot.sentNotes(thread.id)[0].body).toEqual({
      type: 'COMMENT',
      text: note,
      richText: expect.stringMatching(/^<p>/),
      attachments: [],
    });
    expect(assignments(thread.id).map((c) => [c.method, c.path, c.actorId, c.status])).toEqual([
      ['PUT', 'dated', ASSIGNEE, 200],
    ]);
    expect(h.hubspot.getThread(thread.id)!.assignedTo).toBe(ASSIGNEE);
    // Order: the visitor's text, then the note, then the assignment (the agent is notified last).
    const reply = requestIndex(
      (r) => HubSpotRequests.sendMessage(r) && (r.body as { type: string }).type === 'MESSAGE',
    );
    const posted = requestIndex(
      (r) => HubSpotRequests.sendMessage(r) && (r.body as { type: string }).type === 'COMMENT',
    );
    const assigned = requestIndex(HubSpotRequests.assignee);
    expect(reply).toBeLessThan(posted);
    expect(posted).toBeLessThan(assigned);
    // Our own note's webhook is never answered (COMMENT is ignored at ingestion).
    const noteEvent = h.hubspot.webhookEventFor(h.hubspot.sentNotes(thread.id)[0].message);
    expect((await h.deliver(noteEvent)).body).toMatchObject({ ignored: 1 });
    // HubSpot's assignment event names our assignee: the thread was already handed off; nothing more.
    expect(await threadChanged(thread.id, 'assignedTo', ASSIGNEE)).toMatchObject({ status: 'updated' });
    await visitorSays(h, 'hello?', { threadId: thread.id });
    expect(repliesIn(h, thread.id)).toEqual([HANDOFF_MESSAGE]);
    expect(assignments(thread.id)).toHaveLength(1);
  });

  it('the model hands off after a lookup: the note says why and what the tools found', async () => {
    h.openai.setModel((ctx) => {
      const outputs = ctx.history.filter((i) => i.type === 'function_call_output').length;
      if (outputs === 0)
        return { toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: ['Status'] } }] };
      if (outputs === 1)
        return { toolCalls: [{ name: 'hand_off_to_human', arguments: { reason: 'wants a custom quote' } }] };
      return { text: 'Passing you on.' };
    });
    const { threadId } = await visitorSays(h, 'Is BORG DESIGN (14837428) active? I need a quote for 300 chairs.');
    expect(repliesIn(h, threadId)).toEqual([HANDOFF_MESSAGE]);
    const [note] = notesIn(threadId);
    expect(note).toContain('Handed over: the assistant decided a person should take over.');
    expect(note).toContain('Reason given: tool: wants a custom quote');
    // No CRM contact yet: the address the chat knows for the visitor, redacted.
    expect(note).toContain('Contact: v***@example.com');
    expect(note).toMatch(/Tools this turn: get_company \(ok\): .*"Status":"functiune".*; hand_off_to_human \(ok\)$/);
    expect(assignments(threadId)).toHaveLength(1);
  });

  it('an assignment whose answer was lost is looked up, not sent again; a note lost the same way too', async () => {
    // HubSpot applies both calls but never answers: the worker times out, the job is retried.
    h.hubspot.inject({ match: HubSpotRequests.assignee, respond: 'apply-and-hang' });
    const isNote = (r: (typeof h.hubspot.requests)[number]) =>
      HubSpotRequests.sendMessage(r) && (r.body as { type?: string }).type === 'COMMENT';
    h.hubspot.inject({ match: isNote, respond: 'apply-and-hang' });
    const { threadId, job } = await visitorSays(h, 'can I talk to a human?');
    expect(job.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(repliesIn(h, threadId)).toEqual([HANDOFF_MESSAGE]);
    expect(notesIn(threadId)).toHaveLength(1);
    expect(assignments(threadId).map((c) => c.status)).toEqual([200]);
    expect(h.hubspot.getThread(threadId)!.assignedTo).toBe(ASSIGNEE);
  });

  it('when the dated assignee path answers 404 the date-less one is used, and remembered', async () => {
    h.hubspot.setAssigneePathMissing('dated');
    const first = await visitorSays(h, 'i need a human');
    expect(assignments(first.threadId).map((c) => [c.path, c.status])).toEqual([
      ['dated', 404],
      ['v3', 200],
    ]);
    const second = await visitorSays(h, 'i need a human');
    expect(assignments(second.threadId).map((c) => [c.path, c.status])).toEqual([['v3', 200]]);
  });

  it("an agent's own message silences the bot; an assignment to the bot itself does not", async () => {
    const { threadId } = await visitorSays(h, 'first question');
    // HubSpot writes assignees as "A-777" or "777": the bot assigned to itself is no takeover.
    expect(await threadChanged(threadId, 'assignedTo', '777')).toMatchObject({ status: 'skipped' });
    expect(await threadChanged(threadId, 'assignedTo', 'A-777')).toMatchObject({ status: 'skipped' });
    await visitorSays(h, 'second question', { threadId });
    expect(repliesIn(h, threadId)).toEqual(['re: first question', 're: second question']);

    const agent = h.hubspot.addAgentMessage(threadId, 'Hi, Maria here, I will take it from here.', {
      agent: { actorId: 'A-4242' },
    });
    await h.deliver(h.hubspot.webhookEventFor(agent));
    const agentJob = await h.waitForJob(jobIdFor(h, agent));
    expect(agentJob.returnvalue).toMatchObject({ status: 'skipped' });
    expect((await stateOf(threadId)).handedOff).toBe('agent replied: A-4242');
    const after = await visitorSays(h, 'thanks Maria', { threadId });
    expect(after.job.returnvalue).toEqual({ status: 'skipped', reason: 'handed off to a human' });
    expect(repliesIn(h, threadId)).toEqual(['re: first question', 're: second question']);
    // A person is already there: no note, no assignment.
    expect(notesIn(threadId)).toEqual([]);
    expect(assignments(threadId)).toEqual([]);
  });

  it('a handed-off thread that was closed and reopened is answered, and the model is told to start over', async () => {
    const { threadId } = await visitorSays(h, 'let me talk to an agent');
    expect(await threadChanged(threadId, 'status', 'CLOSED')).toMatchObject({ status: 'updated' });
    expect(await stateOf(threadId)).toMatchObject({ reopenedAfterHandoff: '1' });
    const seen: string[] = [];
    h.openai.setModel((ctx) => {
      seen.push(itemText(userItems(ctx.input).at(-1)));
      return { text: 'Sure, here is the price list.' };
    });
    const back = await visitorSays(h, 'What does shipping cost?', { threadId });
    expect(back.job.returnvalue).toMatchObject({ status: 'answered' });
    await visitorSays(h, 'And to Cluj?', { threadId });
    expect(repliesIn(h, threadId)).toEqual([
      HANDOFF_MESSAGE,
      'Sure, here is the price list.',
      'Sure, here is the price list.',
    ]);
    // What the model received: the note on the first message after the reopen only.
    expect(seen).toEqual([`${REOPENED_NOTE}\n\nWhat does shipping cost?`, 'And to Cluj?']);
    expect(modelCallsOf(h, threadId)).toHaveLength(2);
    expect((await stateOf(threadId)).reopenedAfterHandoff).toBeUndefined();
  });
});
