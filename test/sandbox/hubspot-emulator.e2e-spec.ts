import { Client } from '@hubspot/api-client';
import { verifyV3 } from '../../apps/api/src/webhooks/hubspot-signature';
import { HubSpotEmulator } from '../../apps/sandbox/src/emulator/hubspot-emulator';
import { WebhookSender } from '../../apps/sandbox/src/emulator/webhook-sender';
import { SANDBOX_AGENT, SANDBOX_BOT, SANDBOX_INBOXES, SANDBOX_STAFF } from '../../apps/sandbox/src/start-sandbox';
import { FakeHttpServer, type RecordedRequest } from '../fakes/fake-http-server';
import type { ConversationWebhookEvent } from '../fakes/hubspot.fake';
import { until } from '../support/visitor-turns';

const TOKEN = 'pat-emulator-test';
const SECRET = 'emulator-secret-123';
const SIGNED_URL = 'https://public.example.test/webhooks/hubspot';

/** The api's side of the wire: verifies each POST with the api's own verifier and records the batches. */
class Receiver extends FakeHttpServer {
  readonly batches: { events: ConversationWebhookEvent[]; valid: boolean; req: RecordedRequest }[] = [];
  constructor() {
    super('receiver');
    this.route('POST', '/webhooks/hubspot', (req) => {
      const verdict = verifyV3(
        {
          method: req.method,
          uri: SIGNED_URL,
          rawBody: Buffer.from(req.rawBody),
          signature: req.headers['x-hubspot-signature-v3'] as string,
          timestamp: req.headers['x-hubspot-request-timestamp'] as string,
        },
        SECRET,
        Date.now(),
      );
      this.batches.push({ events: req.body as ConversationWebhookEvent[], valid: verdict.valid, req });
      return { status: verdict.valid ? 200 : 401 };
    });
  }
  events(): ConversationWebhookEvent[] {
    return this.batches.filter((b) => b.valid).flatMap((b) => b.events);
  }
}

describe('HubSpot emulator (sandbox): API subset and webhooks as HubSpot sends them', () => {
  let emulator: HubSpotEmulator;
  let receiver: Receiver;
  let sender: WebhookSender;
  let client: Client;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    emulator = new HubSpotEmulator({
      accessToken: TOKEN,
      inboxes: SANDBOX_INBOXES,
      bot: SANDBOX_BOT,
      agent: SANDBOX_AGENT,
      staff: SANDBOX_STAFF,
      scanEveryMs: 20,
    });
    await emulator.start();
    client = new Client({ accessToken: TOKEN, basePath: emulator.url, numberOfApiCallRetries: 0 });
  });
  beforeEach(() => {
    receiver.reset();
    receiver.batches.length = 0;
    sender = new WebhookSender({
      targetUrl: `${receiver.url}/webhooks/hubspot`,
      signedUrl: SIGNED_URL,
      clientSecret: SECRET,
      retryBaseMs: 50,
    });
    emulator.connect(sender);
  });
  afterEach(() => sender.stop());
  afterAll(async () => {
    await emulator.stop();
    await receiver.stop();
  });

  const ofType = (type: string, threadId: string) =>
    receiver.events().filter((e) => e.subscriptionType === type && String(e.objectId) === threadId);

  it('announces a chat with its first message in one signed batch (creation, then the message), not before', async () => {
    const thread = emulator.startChat('support', 'en');
    await new Promise((r) => setTimeout(r, 100));
    expect(ofType('conversation.creation', thread.id)).toHaveLength(0);
    const message = emulator.visitorWrites(thread.id, 'hello');
    await until(
      () => receiver.batches.length,
      (n) => n >= 1,
      'a webhook batch',
    );
    const [batch] = receiver.batches;
    expect(batch.valid).toBe(true);
    expect(batch.events.map((e) => e.subscriptionType)).toEqual(['conversation.creation', 'conversation.newMessage']);
    expect(batch.events[1]).toMatchObject({
      objectId: Number(thread.id),
      messageId: message.id,
      messageType: 'MESSAGE',
      changeFlag: 'NEW_MESSAGE',
      attemptNumber: 0,
      portalId: emulator.portalId,
    });
    // The message is fetched, never carried: the event has no text.
    expect(JSON.stringify(batch.events)).not.toContain('hello');
  });

  it('redelivers a refused batch with backoff and attemptNumber + 1, the same events re-signed', async () => {
    receiver.inject({ match: (r) => r.method === 'POST', respond: { status: 500 }, times: 2 });
    const thread = emulator.startChat('support', 'en');
    const message = emulator.visitorWrites(thread.id, 'hi');
    await until(
      () => ofType('conversation.newMessage', thread.id).length,
      (n) => n >= 1,
      'the redelivered event',
    );
    const posts = receiver.received('POST', '/webhooks/hubspot');
    expect(posts).toHaveLength(3);
    const attempts = posts.map((p) => (p.body as ConversationWebhookEvent[]).map((e) => e.attemptNumber));
    expect(attempts).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(posts[2].at - posts[1].at).toBeGreaterThanOrEqual(posts[1].at - posts[0].at);
    const ids = posts.map((p) => (p.body as ConversationWebhookEvent[])[1].messageId);
    expect(ids).toEqual([message.id, message.id, message.id]);
    // The receiver has the third request before the sender has its answer.
    await until(
      () => sender.deliveries.length,
      (n) => n >= 3,
      'the third delivery answered',
    );
    expect(sender.deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
  });

  it('gives up after the last retry, as HubSpot does', async () => {
    sender = new WebhookSender({
      targetUrl: `${receiver.url}/webhooks/hubspot`,
      signedUrl: SIGNED_URL,
      clientSecret: SECRET,
      retryBaseMs: 10,
      maxRetries: 2,
    });
    emulator.connect(sender);
    receiver.inject({ match: () => true, respond: { status: 503 }, times: Infinity });
    emulator.visitorWrites(emulator.startChat('support', 'en').id, 'anyone?');
    await until(
      () => sender.busy,
      (busy) => !busy,
      'the sender to give up',
    );
    expect(sender.deliveries.map((d) => d.attemptNumber)).toEqual([0, 1, 2]);
  });

  it('the worker-facing API: a reply with quick replies, a COMMENT note, and each fires newMessage', async () => {
    const thread = emulator.startChat('support', 'en');
    const incoming = emulator.visitorWrites(thread.id, 'hello');
    const post = (body: object) =>
      client.apiRequest({
        method: 'POST',
        path: `/conversations/v3/conversations/threads/${thread.id}/messages`,
        body,
      });
    const reply = await post({
      type: 'MESSAGE',
      text: 'Choose one',
      senderActorId: SANDBOX_BOT.actorId,
      channelId: incoming.channelId,
      channelAccountId: incoming.channelAccountId,
      recipients: [{ actorId: incoming.senders[0].actorId }],
      attachments: [
        { type: 'QUICK_REPLIES', quickReplies: [{ label: 'Search contact', value: 'search', valueType: 'TEXT' }] },
      ],
    });
    expect(reply.status).toBe(201);
    // The sender is optional for a COMMENT at HubSpot (§8); the test fake asks for one until it learns that.
    const note = await post({
      type: 'COMMENT',
      text: 'for the agent',
      senderActorId: SANDBOX_BOT.actorId,
      attachments: [],
    });
    expect(note.status).toBe(201);
    const noteId = ((await note.json()) as { id: string }).id;
    await until(
      () => ofType('conversation.newMessage', thread.id).length,
      (n) => n >= 3,
      'three newMessage events',
    );
    expect(ofType('conversation.newMessage', thread.id).map((e) => e.messageType)).toEqual([
      'MESSAGE',
      'MESSAGE',
      'COMMENT',
    ]);
    expect(ofType('conversation.newMessage', thread.id).at(-1)!.messageId).toBe(noteId);
    // A bad body is refused like HubSpot refuses it (no sender on a MESSAGE).
    expect((await post({ type: 'MESSAGE', text: 'x', attachments: [] })).status).toBe(400);
  });

  it.each([
    '/conversations/conversations/2026-09-beta/threads/{id}/assignee',
    '/conversations/conversations/v3/threads/{id}/assignee',
  ])('assignee %s: PUT assigns, DELETE unassigns; ASSIGNMENT items and propertyChange events follow', async (path) => {
    const thread = emulator.startChat('support', 'en');
    emulator.visitorWrites(thread.id, 'hello');
    const at = path.replace('{id}', thread.id);
    expect((await client.apiRequest({ method: 'PUT', path: at, body: { actorId: 'bob' } })).status).toBe(400);
    const put = await client.apiRequest({ method: 'PUT', path: at, body: { actorId: SANDBOX_AGENT.actorId } });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { assignedTo: string }).assignedTo).toBe(SANDBOX_AGENT.actorId);
    await until(
      () => ofType('conversation.propertyChange', thread.id).length,
      (n) => n >= 1,
      'assignedTo event',
    );
    expect((await client.apiRequest({ method: 'DELETE', path: at })).status).toBe(204);
    await until(
      () => ofType('conversation.propertyChange', thread.id).length,
      (n) => n >= 2,
      'unassigned event',
    );
    expect(ofType('conversation.propertyChange', thread.id).map((e) => [e.propertyName, e.propertyValue])).toEqual([
      ['assignedTo', SANDBOX_AGENT.actorId],
      ['assignedTo', ''],
    ]);
    const items = emulator.getMessages(thread.id).filter((m) => m.type === 'ASSIGNMENT') as unknown[];
    expect(items).toMatchObject([
      { assignedFrom: null, assignedTo: SANDBOX_AGENT.actorId },
      { assignedFrom: SANDBOX_AGENT.actorId, assignedTo: null },
    ]);
    const other = new Client({ accessToken: 'wrong-token', basePath: emulator.url, numberOfApiCallRetries: 0 });
    expect((await other.apiRequest({ method: 'DELETE', path: at })).status).toBe(401);
  });

  it('closing and reopening (API PATCH or the agent panel) fires status propertyChange events', async () => {
    const thread = emulator.startChat('support', 'en');
    emulator.visitorWrites(thread.id, 'hello');
    const patch = await client.apiRequest({
      method: 'PATCH',
      path: `/conversations/v3/conversations/threads/${thread.id}`,
      body: { status: 'CLOSED' },
    });
    expect(patch.status).toBe(200);
    await until(
      () => ofType('conversation.propertyChange', thread.id).length,
      (n) => n >= 1,
      'CLOSED event',
    );
    emulator.setStatus(thread.id, 'OPEN');
    await until(
      () => ofType('conversation.propertyChange', thread.id).length,
      (n) => n >= 2,
      'OPEN event',
    );
    expect(ofType('conversation.propertyChange', thread.id).map((e) => e.propertyValue)).toEqual(['CLOSED', 'OPEN']);
  });

  it('CRM contacts: the staff contact is seeded; search, create (409 on a duplicate) and update work', async () => {
    const found = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ' as never, value: SANDBOX_STAFF.email }] }],
      properties: ['email', 'firstname'],
      limit: 10,
      after: '0',
      sorts: [],
    });
    expect(found.results.map((c) => c.properties.firstname)).toEqual([SANDBOX_STAFF.firstname]);
    const created = await client.crm.contacts.basicApi.create({
      properties: { email: 'new.person@client.example.com' },
      associations: [],
    });
    await expect(
      client.crm.contacts.basicApi.create({ properties: { email: 'new.person@client.example.com' }, associations: [] }),
    ).rejects.toMatchObject({ code: 409 });
    await client.crm.contacts.basicApi.update(created.id, { properties: { phone: '+40 721 000 000' } });
    expect(emulator.getContact(created.id)!.properties.phone).toBe('+40 721 000 000');
  });
});
