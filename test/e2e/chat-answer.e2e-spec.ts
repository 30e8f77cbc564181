import { JobName, messageJobId } from '@app/contracts';
import type { FakeItem, RecordedChatCompletion, RecordedResponse } from '../fakes/openai.fake';
import { ENGINES, historyOf, modelCallsOf } from '../support/engine-view';
import { AIRTABLE_BASE, BOT_ACTOR, SystemHarness } from '../support/system-harness';
import { userItems } from '../support/visitor-turns';

const fnOutputs = (items: readonly FakeItem[]) => items.filter((i) => i.type === 'function_call_output');

describe.each(ENGINES)('a visitor message is answered in the same thread (%s engine)', (engine) => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({ engine });
    h.listaFirme.seedCompany({
      TaxCode: '14837428',
      Name: 'BORG DESIGN SRL',
      RegNo: 'J40/8118/2002',
      Status: 'functiune',
      County: 'BUCURESTI',
      City: 'Bucuresti',
      NACE: '6201',
    });
  });
  afterAll(() => h.stop());
  // These tests are not about Airtable's 5 requests/s budget (that one is shared across workers
  // and has its own tests); start each with a fresh window.
  beforeEach(() => h.airtable.resetRateLimits());

  it('runs a two-round tool loop against the company register and posts the answer', async () => {
    h.openai.setModel((ctx) => {
      const outputs = fnOutputs(ctx.input);
      if (outputs.length === 0)
        return { toolCalls: [{ name: 'search_companies', arguments: { query: 'Borg Design' } }] };
      if (ctx.history.filter((i) => i.type === 'function_call').length === 1) {
        return { toolCalls: [{ name: 'get_company', arguments: { cui: 'RO14837428', fields: ['Name', 'Status'] } }] };
      }
      return { text: 'BORG DESIGN SRL (CUI 14837428) is active.\n\nAnything else? <b>x</b>' };
    });
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'Is Borg Design still active?');
    const event = h.hubspot.webhookEventFor(message);

    const res = await h.deliver(event);
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, ignored: 0, invalid: 0 });
    const job = await h.waitForJob(messageJobId({ portalId: String(event.portalId), messageId: message.id }));
    expect(job.returnvalue).toMatchObject({ status: 'answered', fallback: false });

    // The reply: as the bot agent, on the visitor's channel, escaped rich text, no attachments.
    const [sent] = h.hubspot.sentMessages(thread.id);
    expect(h.hubspot.sentMessages(thread.id)).toHaveLength(1);
    expect(sent.body).toMatchObject({
      type: 'MESSAGE',
      text: 'BORG DESIGN SRL (CUI 14837428) is active.\n\nAnything else? <b>x</b>',
      senderActorId: BOT_ACTOR,
      channelId: message.channelId,
      channelAccountId: message.channelAccountId,
      recipients: [{ actorId: message.senders[0].actorId, deliveryIdentifier: message.senders[0].deliveryIdentifier }],
      attachments: [],
    });
    expect((sent.body as { richText: string }).richText).toBe(
      '<p>BORG DESIGN SRL (CUI 14837428) is active.</p><p>Anything else? &lt;b&gt;x&lt;/b&gt;</p>',
    );

    // The history holds the user text once; three model calls: user text, then each round's outputs.
    expect(userItems((await historyOf(h, thread.id))!)).toHaveLength(1);
    const calls = modelCallsOf(h, thread.id);
    expect(calls).toHaveLength(3);
    const tools = calls[0].body.tools as ({ name: string } | { function: { name: string } })[];
    expect(tools.map((t) => ('function' in t ? t.function.name : t.name))).toEqual(
      expect.arrayContaining(['search_companies', 'get_company', 'hand_off_to_human']),
    );
    if (engine === 'responses') expectResponsesRequests(calls as RecordedResponse[], thread.id, String(event.portalId));
    else expectChatRequests(calls as RecordedChatCompletion[]);

    // The tools ran with the model's arguments: a free search, then only the two fields asked for.
    expect(h.listaFirme.searches).toEqual(['Borg Design']);
    expect(h.listaFirme.fieldsRequested).toEqual([['TaxCode', 'Name', 'Status']]);
  });

  /** A conversation created once with the thread in its metadata; only new items sent; the mapping upserted. */
  function expectResponsesRequests(calls: RecordedResponse[], threadId: string, portalId: string) {
    const [conversation] = h.openai.conversations();
    expect(h.openai.conversations()).toHaveLength(1);
    expect(conversation.metadata).toEqual({ hubspot_portal_id: portalId, hubspot_thread_id: threadId });
    expect(calls[0].body).toMatchObject({
      model: 'gpt-test',
      conversation: conversation.id,
      input: [{ role: 'user', content: 'Is Borg Design still active?' }],
    });
    const firstCall = calls[0].response.output.find((o) => o.type === 'function_call') as unknown as {
      call_id: string;
    };
    expect(calls[1].body.input).toEqual([
      { type: 'function_call_output', call_id: firstCall.call_id, output: expect.stringContaining('14837428') },
    ]);
    expect(typeof calls[1].body.instructions).toBe('string');
    expect(h.airtable.records(AIRTABLE_BASE, 'Conversations').map((r) => r.fields)).toEqual([
      { 'Hubspot Thread ID': threadId, 'OpenAI Thread ID': conversation.id },
    ]);
  }

  /** The instructions and the whole turn on every call; each tool reply follows its call; no mapping needed. */
  function expectChatRequests(calls: RecordedChatCompletion[]) {
    expect(h.openai.conversations()).toHaveLength(0);
    expect(calls[0].body).toMatchObject({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: expect.any(String) },
        { role: 'user', content: 'Is Borg Design still active?' },
      ],
      max_completion_tokens: 1024,
      parallel_tool_calls: true,
    });
    const message = (calls[0].completion.choices as { message: { tool_calls: { id: string }[] } }[])[0].message;
    expect((calls[1].body.messages as unknown[]).slice(1)).toEqual([
      { role: 'user', content: 'Is Borg Design still active?' },
      expect.objectContaining({
        role: 'assistant',
        tool_calls: [expect.objectContaining({ id: message.tool_calls[0].id })],
      }),
      { role: 'tool', tool_call_id: message.tool_calls[0].id, content: expect.stringContaining('14837428') },
    ]);
    expect(h.airtable.records(AIRTABLE_BASE, 'Conversations')).toHaveLength(0);
  }

  it('a known thread costs one HubSpot read, one reply, no Airtable call and one model call', async () => {
    h.openai.setModel(() => ({ text: 'Sure.' }));
    const thread = h.hubspot.addThread();
    const first = h.hubspot.addVisitorMessage(thread.id, 'Hello');
    await h.deliver(h.hubspot.webhookEventFor(first));
    await h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: first.id }));

    h.hubspot.reset();
    h.hubspot.addThread({ id: thread.id });
    const second = h.hubspot.addVisitorMessage(thread.id, 'Thanks');
    const airtableBefore = h.airtable.requests.length;
    const responsesBefore = h.openai.modelCalls().length;
    const conversationsBefore = h.openai.conversations().length;

    await h.deliver(h.hubspot.webhookEventFor(second));
    await h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: second.id }));

    expect(h.hubspot.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(h.airtable.requests.length - airtableBefore).toBe(0);
    expect(h.openai.modelCalls().length - responsesBefore).toBe(1);
    expect(h.openai.conversations().length).toBe(conversationsBefore);
  });

  it('never answers its own reply: its webhook is acknowledged at ingestion without a job or a HubSpot read', async () => {
    h.openai.setModel(() => ({ text: 'Hi there' }));
    const thread = h.hubspot.addThread();
    const visitor = h.hubspot.addVisitorMessage(thread.id, 'Hi');
    await h.deliver(h.hubspot.webhookEventFor(visitor));
    await h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: visitor.id }));
    const [ours] = h.hubspot.sentMessages(thread.id);

    const reads = h.hubspot.received('GET', /\/messages\//).length;
    const echoJobId = messageJobId({ portalId: String(h.hubspot.portalId), messageId: ours.message.id });
    const res = await h.deliver(h.hubspot.webhookEventFor(ours.message));
    expect(res.body).toEqual({ accepted: 0, duplicates: 0, ignored: 1, invalid: 0 });
    expect(await h.queue.getJob(echoJobId)).toBeUndefined();

    // An echo that outran the marker still becomes a job: the worker skips it, unread.
    const event = h.hubspot.webhookEventFor(ours.message);
    await h.queue.add(
      JobName.MessageReceived,
      {
        portalId: String(event.portalId),
        threadId: String(event.objectId),
        messageId: ours.message.id,
        occurredAt: event.occurredAt,
        attemptNumber: 0,
      },
      { jobId: echoJobId },
    );
    const job = await h.waitForJob(echoJobId);
    expect(job.returnvalue).toEqual({ status: 'skipped', reason: 'own reply' });
    expect(h.hubspot.received('GET', /\/messages\//).length).toBe(reads);
    expect(h.hubspot.sentMessages(thread.id)).toHaveLength(1);
  });

  it("skips a human agent's message", async () => {
    const thread = h.hubspot.addThread();
    const agent = h.hubspot.addAgentMessage(thread.id, 'I will take this one');
    await h.deliver(h.hubspot.webhookEventFor(agent));
    const job = await h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: agent.id }));
    expect(job.returnvalue).toMatchObject({ status: 'skipped' });
    expect(h.hubspot.sentMessages(thread.id)).toHaveLength(0);
  });

  it('falls back to ANAF when ListaFirme is busy', async () => {
    h.anaf.seed({ cui: 14837428, denumire: 'BORG DESIGN SRL', stare_inregistrare: 'INREGISTRAT' });
    h.listaFirme.busyNext(1);
    let output = '';
    h.openai.setModel((ctx) => {
      const o = ctx.input.find((i) => i.type === 'function_call_output');
      if (o) {
        output = String(o.output);
        return { text: 'ok' };
      }
      return { toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: ['Name'] } }] };
    });
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'Who is 14837428?');
    await h.deliver(h.hubspot.webhookEventFor(message));
    await h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: message.id }));
    expect(JSON.parse(output)).toEqual({
      found: true,
      cui: '14837428',
      source: 'anaf',
      fields: { Name: 'BORG DESIGN SRL' },
    });
  });
});
