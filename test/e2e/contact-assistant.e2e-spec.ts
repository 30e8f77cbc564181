import { JobName, messageJobId, threadChangedJobId, threadOpenedJobId } from '@app/contracts';
import { IDENTITY_TEXTS } from '../../apps/worker/src/identity/identity-texts';
import { CONTACTS_PROFILE } from '../../apps/worker/src/profiles/default-profiles';
import { FakeOpenAI } from '../fakes/openai.fake';
import { SystemHarness } from '../support/system-harness';
import { verifyStaff } from '../support/visitor-turns';

const STAFF_PROMPT = IDENTITY_TEXTS.en.staffPrompt;

const CONTACTS_INBOX = '900';
const HANDOFF = "Thanks! I've passed this conversation to a colleague, who will reply here shortly.";

describe('contact assistant: profiles, welcome, staff gate, handoff', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({
      workerEnv: { INBOX_PROFILES: `${CONTACTS_INBOX}=contacts`, STAFF_EMAIL_DOMAINS: 'acme.ro' },
    });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.airtable.resetRateLimits();
    h.openai.clearFaults();
  });

  const portal = () => String(h.hubspot.portalId);

  /** A thread HubSpot associated with a staff contact: a claim, enough for the welcome buttons. */
  function staffThread() {
    const contact = h.hubspot.addContact({ email: `ana.${Date.now()}${Math.random()}@acme.ro`, firstname: 'Ana' });
    return h.hubspot.addThread({ inboxId: CONTACTS_INBOX, associatedContactId: contact.id });
  }

  /** A staff thread whose visitor proved the address with a code (two messages and two replies). */
  async function verifiedStaffThread() {
    const thread = staffThread();
    const email = h.hubspot.getContact(thread.associatedContactId)!.properties.email;
    expect(await verifyStaff(h, thread.id, email)).toBe(IDENTITY_TEXTS.en.staffVerified);
    return thread;
  }

  async function say(threadId: string, text: string) {
    const message = h.hubspot.addVisitorMessage(threadId, text);
    await h.deliver(h.hubspot.webhookEventFor(message));
    return h.waitForJob(messageJobId({ portalId: portal(), messageId: message.id }));
  }

  const texts = (threadId: string) => h.hubspot.sentMessages(threadId).map((s) => s.message.text);

  /** HubSpot reports a change of the thread; resolves when the worker handled it. */
  async function change(thread: { id: string }, propertyName: 'assignedTo' | 'status', propertyValue: string) {
    const event = h.hubspot.propertyChangeEventFor(h.hubspot.getThread(thread.id)!, propertyName, propertyValue);
    await h.deliver(event);
    const { occurredAt } = event;
    return h.waitForJob(
      threadChangedJobId({ portalId: portal(), threadId: thread.id, propertyName, propertyValue, occurredAt }),
    );
  }

  it('welcomes a staff member once, with the three buttons, even when the event comes again', async () => {
    const thread = staffThread();
    h.hubspot.addVisitorMessage(thread.id, 'hello');
    const opened = threadOpenedJobId({ portalId: portal(), threadId: thread.id });
    await h.deliver(h.hubspot.creationEventFor(thread));
    const job = await h.waitForJob(opened);
    expect(job.name).toBe(JobName.ThreadOpened);
    expect(job.returnvalue).toMatchObject({ status: 'welcomed' });

    const [welcome] = h.hubspot.sentMessages(thread.id);
    expect(welcome.body).toMatchObject({
      text: CONTACTS_PROFILE.welcome.en.text,
      attachments: [
        {
          type: 'QUICK_REPLIES',
          quickReplies: [
            { label: 'Search contact', value: 'search_contact', valueType: 'TEXT' },
            { label: 'Create new contact', value: 'create_contact', valueType: 'TEXT' },
            { label: 'Update contact', value: 'update_contact', valueType: 'TEXT' },
          ],
        },
      ],
    });
    // The welcome names the options in words too, for channels without buttons.
    expect(welcome.message.text).toContain('Create new contact');

    // Redelivered after the job was trimmed from Redis: still one welcome.
    await job.remove();
    await h.deliver(h.hubspot.creationEventFor(thread, { attemptNumber: 3 }));
    expect((await h.waitForJob(opened)).returnvalue).toEqual({ status: 'skipped', reason: 'already welcomed' });
    expect(h.hubspot.sentMessages(thread.id)).toHaveLength(1);
  });

  it.each([
    ['label', 'Create new contact', 1],
    ['value', 'search_contact', 0],
  ])('a button tap by %s is confirmed in one message, without a model call', async (_kind, tap, button) => {
    const thread = await verifiedStaffThread();
    const responses = h.openai.responses().length;
    const job = await say(thread.id, tap);
    expect(job.returnvalue).toMatchObject({ status: 'answered' });
    expect(texts(thread.id).slice(2)).toEqual([CONTACTS_PROFILE.welcome.en.quickReplies[button].confirmation]);
    expect(h.openai.responses().length).toBe(responses);
    // The conversation holds the tap and the confirmation, so the model continues the flow.
    const conversation = h.openai.conversations().find((c) => c.metadata.hubspot_thread_id === thread.id)!;
    expect(conversation.items.map((i) => i.role)).toEqual(['user', 'assistant']);
  });

  it('refuses a visitor who is not staff in the contacts inbox, politely and without the model', async () => {
    const outsider = h.hubspot.addContact({ email: `eve.${Date.now()}@gmail.com` });
    const thread = h.hubspot.addThread({ inboxId: CONTACTS_INBOX, associatedContactId: outsider.id });
    const responses = h.openai.responses().length;
    await say(thread.id, 'Update contact');
    expect(texts(thread.id)).toEqual([STAFF_PROMPT]);
    expect(h.openai.responses().length).toBe(responses);
    // An anonymous visitor (no CRM contact) is not staff either.
    const anonymous = h.hubspot.addThread({ inboxId: CONTACTS_INBOX, associatedContactId: 'visitor-abc' });
    await say(anonymous.id, 'search_contact');
    expect(texts(anonymous.id)).toEqual([STAFF_PROMPT]);
    // Nor is a visitor HubSpot associated with a staff contact (anyone can type that address).
    const claimed = staffThread();
    await say(claimed.id, 'search_contact');
    expect(texts(claimed.id)).toEqual([STAFF_PROMPT]);
    expect(h.openai.responses().length).toBe(responses);
  });

  it('hands off when the visitor asks for a person, then stays silent', async () => {
    const thread = h.hubspot.addThread();
    await say(thread.id, 'Can I talk to a real person please?');
    expect(texts(thread.id)).toEqual([HANDOFF]);
    const silent = await say(thread.id, 'hello?');
    expect(silent.returnvalue).toEqual({ status: 'skipped', reason: 'handed off to a human' });
    expect(texts(thread.id)).toEqual([HANDOFF]);
  });

  it('hands off when the model calls hand_off_to_human', async () => {
    h.openai.setModel((ctx) =>
      ctx.input.some((i) => i.type === 'function_call_output')
        ? { text: 'whatever the model says' }
        : { toolCalls: [{ name: 'hand_off_to_human', arguments: { reason: 'angry customer' } }] },
    );
    const thread = h.hubspot.addThread();
    await say(thread.id, 'This is unacceptable!');
    expect(texts(thread.id)).toEqual([HANDOFF]);
    expect((await say(thread.id, 'well?')).returnvalue).toMatchObject({ status: 'skipped' });
  });

  it('a hand_off_to_human call with invalid arguments neither claims nor performs a handoff', async () => {
    h.openai.setModel((ctx) =>
      ctx.input.some((i) => i.type === 'function_call_output')
        ? { text: 'I can still help you here.' }
        : { toolCalls: [{ name: 'hand_off_to_human', arguments: { reason: '' } }] },
    );
    const thread = h.hubspot.addThread();
    await say(thread.id, 'hmm');
    expect(texts(thread.id)).toEqual(['I can still help you here.']);
    expect((await say(thread.id, 'ok')).returnvalue).toMatchObject({ status: 'answered' });
  });

  it('stops when a human is assigned and answers again after the thread is closed', async () => {
    h.openai.setModel(() => ({ text: 'bot here' }));
    const thread = h.hubspot.addThread();
    await say(thread.id, 'first');
    await change(thread, 'assignedTo', 'A-4242');
    expect((await say(thread.id, 'second')).returnvalue).toMatchObject({ status: 'skipped' });

    await change(thread, 'status', 'CLOSED');
    await say(thread.id, 'third');
    expect(texts(thread.id)).toEqual(['bot here', 'bot here']);
  });

  it('an assignment to the bot itself does not silence it', async () => {
    h.openai.setModel(() => ({ text: 'still here' }));
    const thread = h.hubspot.addThread();
    await change(thread, 'assignedTo', 'A-777');
    await say(thread.id, 'hi');
    expect(texts(thread.id)).toEqual(['still here']);
  });

  it('a failed turn answers with the fallback and hands the thread to a person', async () => {
    h.openai.quotaExceededNext(1, FakeOpenAI.createResponse);
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'hi');
    await h.deliver(h.hubspot.webhookEventFor(message));
    await h.waitForJob(messageJobId({ portalId: portal(), messageId: message.id }), 'failed');
    expect(texts(thread.id)).toHaveLength(1);
    expect((await say(thread.id, 'anyone?')).returnvalue).toMatchObject({ status: 'skipped' });
  });
});
