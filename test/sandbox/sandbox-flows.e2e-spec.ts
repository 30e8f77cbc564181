import { IDENTITY_TEXTS } from '../../apps/worker/src/identity/identity-texts';
import { CONTACTS_PROFILE, SUPPORT_PROFILE } from '../../apps/worker/src/profiles/default-profiles';
import { DEMO_LABEL } from '../../apps/sandbox/src/demo-model/demo-script';
import { SANDBOX_STAFF, startSandbox, type Sandbox } from '../../apps/sandbox/src/start-sandbox';

const HANDOFF_MESSAGE = "Thanks! I've passed this conversation to a colleague, who will reply here shortly.";
const texts = (r: { replies: { text: string }[] }) => r.replies.map((m) => m.text);

/**
 * The sandbox as `npm run sandbox` starts it (real api and worker, emulator, sample register,
 * mail catcher, demo model), driven over the page API like the chat page and the evals do.
 */
describe('sandbox: the product flows with the demo model, over the page API', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ dataDir: `/tmp/sandbox-flows-${process.pid}`, webhookRetryBaseMs: 100 });
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('serves the page with a strict CSP and says the model is the scripted demo', async () => {
    const page = await fetch(sandbox.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).not.toMatch(/https?:\/\//);
    expect(await sandbox.client.info()).toMatchObject({ model: { kind: 'demo', label: DEMO_LABEL } });
  });

  it('support: the welcome, then a company by CUI from the offline register, through a signed webhook', async () => {
    const chat = await sandbox.client.startChat('support');
    const turn = await sandbox.client.say(chat.id, 'Can you check CUI 14837428?');
    // The welcome (thread opened) and the answer (message) are two jobs: either may post first.
    expect(texts(turn)).toHaveLength(2);
    expect(texts(turn)).toContain(SUPPORT_PROFILE.welcome.en.text);
    const answer = texts(turn).find((t) => t !== SUPPORT_PROFILE.welcome.en.text)!;
    expect(answer).toContain('CARPATI SOFTWARE SRL');
    expect(answer).toContain('J40/1234/2002');
    const deliveries = await sandbox.client.webhooks();
    expect(deliveries.some((d) => d.status === 200 && d.events.some((e) => e.messageId === turn.messageId))).toBe(true);
  });

  it('support: by name and by registration number (search, then the single hit’s details)', async () => {
    const chat = await sandbox.client.startChat('support');
    await sandbox.client.say(chat.id, 'hello');
    expect(texts(await sandbox.client.say(chat.id, 'company Dunarea Logistic'))).toEqual([
      expect.stringContaining('DUNAREA LOGISTIC SA (CUI 18547290)'),
    ]);
    expect(texts(await sandbox.client.say(chat.id, 'who is J08/77/1995?'))).toEqual([
      expect.stringContaining('BRAN TURISM SRL'),
    ]);
    expect(texts(await sandbox.client.say(chat.id, 'and CUI 14837427?'))).toEqual([
      expect.stringMatching(/not a valid Romanian CUI/),
    ]);
  });

  it('support: lead qualification creates the contact and marks it a lead', async () => {
    const chat = await sandbox.client.startChat('support');
    await sandbox.client.say(chat.id, 'hello');
    expect(texts(await sandbox.client.say(chat.id, 'I would like an offer for 20 licences'))).toEqual([
      expect.stringContaining('e-mail'),
    ]);
    const done = await sandbox.client.say(chat.id, 'jane.lead@client.example.com Jane Lead');
    expect(texts(done)).toEqual([expect.stringContaining('a colleague from sales will get in touch')]);
    const contact = sandbox.emulator.findContactByEmail('jane.lead@client.example.com');
    expect(contact?.properties).toMatchObject({ firstname: 'Jane', lifecyclestage: 'lead' });
  });

  it('support: asking for a person hands off; the bot then stays silent, the agent answers', async () => {
    const chat = await sandbox.client.startChat('support');
    await sandbox.client.say(chat.id, 'hello');
    expect(texts(await sandbox.client.say(chat.id, 'I want to talk to a person'))).toEqual([HANDOFF_MESSAGE]);
    await sandbox.client.agent(chat.id, 'assign');
    const quiet = await sandbox.client.say(chat.id, 'are you there?', { timeoutMs: 2500 });
    expect(quiet.replies).toEqual([]);
    await sandbox.client.agent(chat.id, 'message', 'Hi, Sam here.');
    const thread = await sandbox.client.thread(chat.id);
    expect(thread.messages.at(-1)).toMatchObject({ author: 'agent', text: 'Hi, Sam here.' });
    expect(thread.assignedTo).toBe(sandbox.emulator.agent.actorId);
  });

  it('contacts (staff): buttons, the e-mail code from the mail catcher, a tap, a contact created', async () => {
    const chat = await sandbox.client.startChat('contacts');
    const first = await sandbox.client.say(chat.id, 'hello');
    expect(texts(first)).toEqual(
      expect.arrayContaining([CONTACTS_PROFILE.welcome.en.text, IDENTITY_TEXTS.en.staffPrompt]),
    );
    const welcome = first.replies.find((m) => m.text === CONTACTS_PROFILE.welcome.en.text)!;
    expect(welcome.quickReplies.map((q) => q.label)).toEqual(
      CONTACTS_PROFILE.welcome.en.quickReplies.map((q) => q.label),
    );
    expect(texts(await sandbox.client.say(chat.id, SANDBOX_STAFF.email))).toEqual([IDENTITY_TEXTS.en.staffCodeSent]);
    const code = await sandbox.client.latestCode(SANDBOX_STAFF.email);
    expect(code).toMatch(/^\d{6}$/);
    expect(texts(await sandbox.client.say(chat.id, code!))).toEqual([IDENTITY_TEXTS.en.staffVerified]);
    const create = CONTACTS_PROFILE.welcome.en.quickReplies.find((q) => q.value === 'create_contact')!;
    expect(texts(await sandbox.client.say(chat.id, create.label))).toEqual([create.confirmation]);
    expect(texts(await sandbox.client.say(chat.id, 'ion.new@client.example.com'))).toEqual([
      'Thanks. What are the first and last name?',
    ]);
    const created = await sandbox.client.say(chat.id, 'Ion Popescu');
    const contact = sandbox.emulator.findContactByEmail('ion.new@client.example.com');
    expect(contact?.properties).toMatchObject({ firstname: 'Ion', lastname: 'Popescu' });
    expect(texts(created)).toEqual([`Created contact ${contact!.id}.`]);
  });

  it('the agent panel: an internal note is in the thread for agents; close and reopen change the status', async () => {
    const chat = await sandbox.client.startChat('support');
    await sandbox.client.say(chat.id, 'hello');
    await sandbox.client.agent(chat.id, 'note', 'VIP customer');
    const closed = await sandbox.client.agent(chat.id, 'close');
    expect(closed.status).toBe('CLOSED');
    expect(closed.messages.some((m) => m.type === 'COMMENT' && m.text === 'VIP customer')).toBe(true);
    expect((await sandbox.client.agent(chat.id, 'reopen')).status).toBe('OPEN');
  });
});
