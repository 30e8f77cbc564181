import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { readFixture } from '../support/fixtures';
import { FakeHubSpot, HubSpotRequests, type HubSpotMessage } from './hubspot.fake';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const CONV = '/conversations/v3/conversations';

// Response bodies are read loosely, as a test would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** fetch's Response.json() is typed unknown. */
const read = (res: Response): Promise<Loose> => res.json() as Promise<Loose>;

/** What the SDK's typed APIs throw (ApiException): duck-typed, never instanceof. */
interface SdkError {
  code: number;
  body: Loose;
  headers: Record<string, string>;
}

async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (err) {
    expect(typeof (err as SdkError).code).toBe('number');
    return err as SdkError;
  }
  throw new Error('expected the SDK call to throw');
}

describe('FakeHubSpot through the real @hubspot/api-client', () => {
  let fake: FakeHubSpot;
  let client: Client;

  beforeAll(async () => {
    fake = await new FakeHubSpot({ accessToken: TOKEN }).start();
    client = new Client({ accessToken: TOKEN, basePath: fake.url, numberOfApiCallRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.stop());

  function seedConversation(): { thread: ReturnType<FakeHubSpot['addThread']>; message: HubSpotMessage } {
    const contact = fake.addContact({ email: 'jane@example.com', firstname: 'Jane', lastname: 'Doe' });
    const thread = fake.addThread({ associatedContactId: contact.id });
    const message = fake.addVisitorMessage(thread.id, 'Hi, where is my order #123?');
    return { thread, message };
  }

  describe('conversations (apiRequest)', () => {
    it('GETs a message and its thread; a 404 resolves (no throw) with a HubSpot error body', async () => {
      const { thread, message } = seedConversation();

      const res = await client.apiRequest({
        method: 'GET',
        path: `${CONV}/threads/${thread.id}/messages/${message.id}`,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
      expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('100');
      expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe('99');
      expect(res.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      const body = await read(res);
      expect(body).toEqual(message);
      expect(body).toMatchObject({
        type: 'MESSAGE',
        conversationsThreadId: thread.id,
        createdBy: `V-${thread.associatedContactId}`,
        client: { clientType: 'HUBSPOT' },
        senders: [
          {
            actorId: `V-${thread.associatedContactId}`,
            name: 'Jane Doe',
            deliveryIdentifier: { type: 'HS_EMAIL_ADDRESS', value: 'jane@example.com' },
          },
        ],
        text: 'Hi, where is my order #123?',
        attachments: [],
        truncationStatus: 'NOT_TRUNCATED',
        direction: 'INCOMING',
        channelId: '1000',
        channelAccountId: '123',
      });
      expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);

      const t = await client.apiRequest({ method: 'GET', path: `${CONV}/threads/${thread.id}` });
      expect(t.status).toBe(200);
      expect(await read(t)).toMatchObject({ id: thread.id, status: 'OPEN', archived: false, spam: false });
      expect(Number(thread.id)).toBeGreaterThan(2 ** 31);

      const missing = await client.apiRequest({ method: 'GET', path: `${CONV}/threads/${thread.id}/messages/nope` });
      expect(missing.status).toBe(404);
      expect(missing.ok).toBe(false);
      expect(missing.headers.get('content-type')).toBe('application/json;charset=utf-8');
      expect(await read(missing)).toEqual({
        status: 'error',
        message: expect.any(String),
        correlationId: expect.any(String),
        category: 'OBJECT_NOT_FOUND',
      });
      const noThread = await client.apiRequest({ method: 'GET', path: `${CONV}/threads/1/messages/${message.id}` });
      expect(noThread.status).toBe(404);
    });

    it('lists messages with opaque paging', async () => {
      const { thread } = seedConversation();
      fake.addAgentMessage(thread.id, 'Let me check.');
      fake.addVisitorMessage(thread.id, 'Thanks');
      const page1 = await client.apiRequest({ path: `${CONV}/threads/${thread.id}/messages`, qs: { limit: 2 } });
      const b1 = await read(page1);
      expect(b1.results.map((m: HubSpotMessage) => m.text)).toEqual(['Hi, where is my order #123?', 'Let me check.']);
      expect(b1.results[1]).toMatchObject({
        direction: 'OUTGOING',
        createdBy: 'A-1001',
        senders: [{ actorId: 'A-1001' }],
      });
      expect(typeof b1.paging.next.after).toBe('string');
      const page2 = await client.apiRequest({
        path: `${CONV}/threads/${thread.id}/messages`,
        qs: { limit: 2, after: b1.paging.next.after },
      });
      const b2 = await read(page2);
      expect(b2.results.map((m: HubSpotMessage) => m.text)).toEqual(['Thanks']);
      expect(b2.paging).toBeUndefined();
    });

    it('POST message → 201, recorded with the exact body, QUICK_REPLIES accepted, webhook event built', async () => {
      const { thread, message } = seedConversation();
      const egg = {
        type: 'MESSAGE',
        text: 'Found it: order #123 ships today.',
        richText: '<p>Found it: order #123 ships today.</p>',
        senderActorId: 'A-1001',
        channelId: message.channelId,
        channelAccountId: message.channelAccountId,
        recipients: [
          { actorId: message.senders[0].actorId, deliveryIdentifier: message.senders[0].deliveryIdentifier },
        ],
        attachments: [
          {
            type: 'QUICK_REPLIES',
            quickReplies: [
              { label: 'Search contact', value: 'search_contact', valueType: 'TEXT' },
              { label: 'Docs', value: 'https://example.com/docs', valueType: 'URL' },
            ],
          },
        ],
      };
      const path = `${CONV}/threads/${thread.id}/messages`;
      const res = await client.apiRequest({ method: 'POST', path, body: egg });
      expect(res.status).toBe(201);
      const created = await read(res);
      expect(created).toMatchObject({
        type: 'MESSAGE',
        conversationsThreadId: thread.id,
        createdBy: 'A-1001',
        client: { clientType: 'INTEGRATION', integrationAppId: fake.appId },
        senders: [{ actorId: 'A-1001' }],
        recipients: egg.recipients,
        text: egg.text,
        richText: egg.richText,
        attachments: egg.attachments,
        direction: 'OUTGOING',
        channelId: '1000',
        channelAccountId: '123',
        truncationStatus: 'NOT_TRUNCATED',
      });
      expect(created.id).toMatch(/^[0-9a-f]{32}$/);

      const sent = fake.sentMessages(thread.id);
      expect(sent).toHaveLength(1);
      expect(sent[0].body).toEqual(egg);
      expect(sent[0].rawBody).toBe(JSON.stringify(egg));
      expect(sent[0].message).toEqual(created);
      expect(fake.sentMessages()).toHaveLength(1);
      const [req] = fake.received('POST', path);
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req.headers['content-type']).toBe('application/json');

      const list = await read(await client.apiRequest({ path }));
      expect(list.results.map((m: HubSpotMessage) => m.id)).toEqual([message.id, created.id]);

      const event = fake.webhookEventFor(created);
      const [real] = JSON.parse(readFixture('webhook-new-message.body.json').toString('utf8'));
      expect(Object.keys(event)).toEqual(Object.keys(real));
      expect(event).toMatchObject({
        subscriptionType: 'conversation.newMessage',
        objectId: Number(thread.id),
        messageId: created.id,
        messageType: 'MESSAGE',
        changeFlag: 'NEW_MESSAGE',
        portalId: fake.portalId,
        attemptNumber: 0,
        occurredAt: Date.parse(created.createdAt),
      });
    });

    it('rejects what HubSpot rejects: V- sender (UNSUPPORTED_ACTOR_TYPE), missing fields, bad quick replies', async () => {
      const { thread, message } = seedConversation();
      const path = `${CONV}/threads/${thread.id}/messages`;
      const good = {
        type: 'MESSAGE',
        text: 'hello',
        senderActorId: 'A-1001',
        channelId: '1000',
        channelAccountId: '123',
        recipients: [{ actorId: message.createdBy }],
        attachments: [],
      };

      const asVisitor = await client.apiRequest({
        method: 'POST',
        path,
        body: { ...good, senderActorId: message.createdBy },
      });
      expect(asVisitor.status).toBe(400);
      const err = await read(asVisitor);
      expect(err).toMatchObject({
        status: 'error',
        category: 'VALIDATION_ERROR',
        subCategory: 'UNSUPPORTED_ACTOR_TYPE',
      });
      expect(err.errors[0]).toMatchObject({ subCategory: 'UNSUPPORTED_ACTOR_TYPE', in: 'senderActorId' });

      const variants: Record<string, unknown>[] = [
        { ...good, type: 'WELCOME_MESSAGE' },
        { ...good, text: undefined },
        { ...good, channelId: undefined },
        { ...good, channelAccountId: undefined },
        { ...good, recipients: undefined },
        { ...good, recipients: [] },
        { ...good, attachments: undefined },
        { ...good, attachments: {} },
        { ...good, attachments: [{ type: 'QUICK_REPLIES', quickReplies: [] }] },
        {
          ...good,
          attachments: [{ type: 'QUICK_REPLIES', quickReplies: [{ label: 'x', value: 'x', valueType: 'BUTTON' }] }],
        },
        {
          ...good,
          attachments: [{ type: 'QUICK_REPLIES', quickReplies: [{ label: '', value: 'x', valueType: 'TEXT' }] }],
        },
      ];
      for (const body of variants) {
        const res = await client.apiRequest({ method: 'POST', path, body });
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect((await read(res)).category).toBe('VALIDATION_ERROR');
      }
      const comment = await client.apiRequest({
        method: 'POST',
        path,
        body: { type: 'COMMENT', text: 'internal note', senderActorId: 'A-1001' },
      });
      expect(comment.status).toBe(201);
      const note = await read(comment);
      expect(note.direction).toBeUndefined();
      expect(note.channelId).toBeUndefined();
      // Notes are kept apart from the replies a visitor reads.
      expect(fake.sentNotes(thread.id).map((s) => s.body.type)).toEqual(['COMMENT']);
      expect(fake.sentMessages(thread.id)).toEqual([]);
      const unknownThread = await client.apiRequest({
        method: 'POST',
        path: `${CONV}/threads/42/messages`,
        body: good,
      });
      expect(unknownThread.status).toBe(404);
    });

    it('PATCHes thread status, still accepts posts to a CLOSED thread, and resolves actors', async () => {
      const { thread, message } = seedConversation();
      fake.addAgentMessage(thread.id, 'hi', {
        agent: { actorId: 'A-77', name: 'Sam Support', email: 'sam@corp.test' },
      });
      const res = await client.apiRequest({
        method: 'PATCH',
        path: `${CONV}/threads/${thread.id}`,
        body: { status: 'CLOSED' },
      });
      expect(res.status).toBe(200);
      expect(await read(res)).toMatchObject({ id: thread.id, status: 'CLOSED' });
      expect(fake.getThread(thread.id)!.status).toBe('CLOSED');
      const badStatus = await client.apiRequest({
        method: 'PATCH',
        path: `${CONV}/threads/${thread.id}`,
        body: { status: 'x' },
      });
      expect(badStatus.status).toBe(400);

      const post = await client.apiRequest({
        method: 'POST',
        path: `${CONV}/threads/${thread.id}/messages`,
        body: {
          type: 'MESSAGE',
          text: 'late answer',
          senderActorId: 'A-77',
          channelId: '1000',
          channelAccountId: '123',
          recipients: [{ actorId: message.createdBy }],
          attachments: [],
        },
      });
      expect(post.status).toBe(201);
      expect((await read(post)).senders).toEqual([{ actorId: 'A-77', name: 'Sam Support' }]);

      const agent = await client.apiRequest({ path: `${CONV}/actors/A-77` });
      expect(await read(agent)).toEqual({ id: 'A-77', type: 'AGENT', name: 'Sam Support', email: 'sam@corp.test' });
      const visitor = await client.apiRequest({ path: `${CONV}/actors/${message.createdBy}` });
      expect(await read(visitor)).toMatchObject({ id: message.createdBy, type: 'VISITOR', email: 'jane@example.com' });
      expect((await client.apiRequest({ path: `${CONV}/actors/A-404` })).status).toBe(404);
    });
  });

  describe('thread assignee and internal notes (reference §8)', () => {
    const assigneePath = (version: string, threadId: string) =>
      `/conversations/conversations/${version}/threads/${threadId}/assignee`;

    it('PUT assigns an agent on both spellings, DELETE unassigns; every call is recorded', async () => {
      const { thread } = seedConversation();
      const put = await client.apiRequest({
        method: 'PUT',
        path: assigneePath('2026-09-beta', thread.id),
        body: { actorId: 'A-55' },
      });
      expect(put.status).toBe(200);
      expect((await read(put)).assignedTo).toBe('A-55');
      expect(fake.getMessages(thread.id).at(-1)).toMatchObject({ type: 'ASSIGNMENT', assignedTo: 'A-55' });
      const del = await client.apiRequest({ method: 'DELETE', path: assigneePath('v3', thread.id) });
      expect(del.status).toBe(204);
      expect(fake.getThread(thread.id)!.assignedTo).toBeUndefined();
      const v3 = await client.apiRequest({
        method: 'PUT',
        path: assigneePath('v3', thread.id),
        body: { actorId: 'A-56' },
      });
      expect(v3.status).toBe(200);
      const delDated = await client.apiRequest({ method: 'DELETE', path: assigneePath('2026-09-beta', thread.id) });
      expect(delDated.status).toBe(204);
      expect(fake.assigneeCalls(thread.id).map((c) => [c.method, c.path, c.actorId, c.status])).toEqual([
        ['PUT', 'dated', 'A-55', 200],
        ['DELETE', 'v3', undefined, 204],
        ['PUT', 'v3', 'A-56', 200],
        ['DELETE', 'dated', undefined, 204],
      ]);
    });

    it('refuses a non-agent assignee, answers 404 on a path made missing, and for an unknown thread', async () => {
      const { thread } = seedConversation();
      const email = await client.apiRequest({
        method: 'PUT',
        path: assigneePath('v3', thread.id),
        body: { actorId: 'sam@corp.test' },
      });
      expect(email.status).toBe(400);
      fake.setAssigneePathMissing('dated');
      const missing = await client.apiRequest({
        method: 'PUT',
        path: assigneePath('2026-09-beta', thread.id),
        body: { actorId: 'A-55' },
      });
      expect(missing.status).toBe(404);
      fake.setAssigneePathMissing('dated', false);
      const unknown = await client.apiRequest({
        method: 'PUT',
        path: assigneePath('v3', '42'),
        body: { actorId: 'A-55' },
      });
      expect(unknown.status).toBe(404);
      expect(fake.getThread(thread.id)!.assignedTo).toBeUndefined();
      expect(fake.assigneeCalls(thread.id).map((c) => c.status)).toEqual([400, 404]);
    });

    it('accepts a COMMENT without a sender (stored as the app), kept apart from replies', async () => {
      const { thread } = seedConversation();
      const res = await client.apiRequest({
        method: 'POST',
        path: `${CONV}/threads/${thread.id}/messages`,
        body: { type: 'COMMENT', text: 'note', richText: '<p>note</p>', attachments: [] },
      });
      expect(res.status).toBe(201);
      expect((await read(res)).senders).toEqual([{ actorId: `I-${fake.appId}` }]);
      expect(fake.sentNotes(thread.id).map((s) => s.message.text)).toEqual(['note']);
      expect(fake.sentMessages(thread.id)).toEqual([]);
    });
  });

  describe('CRM contacts (typed SDK APIs)', () => {
    it('basicApi.create works; a duplicate e-mail throws code 409 with "Existing ID:"', async () => {
      const created = await client.crm.contacts.basicApi.create({
        properties: { email: 'Jane@Example.com', firstname: 'Jane', lastname: 'Doe' },
        associations: [],
      });
      expect(created.id).toMatch(/^\d+$/);
      expect(created.properties).toMatchObject({
        email: 'jane@example.com',
        firstname: 'Jane',
        hs_object_id: created.id,
      });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(fake.received('POST', '/crm/v3/objects/contacts')).toHaveLength(1);

      const dup = await sdkError(
        client.crm.contacts.basicApi.create({ properties: { email: 'jane@example.com' }, associations: [] }),
      );
      expect(dup.code).toBe(409);
      expect(dup.body.message).toContain('Existing ID:');
      expect(/Existing ID:\s*(\d+)/.exec(dup.body.message)?.[1]).toBe(created.id);
      expect(dup.body.category).toBe('CONFLICT');
      expect(dup.headers['content-type']).toBe('application/json;charset=utf-8');

      const unknownProp = await sdkError(
        client.crm.contacts.basicApi.create({
          properties: { email: 'x@example.com', favourite_colour: 'red' },
          associations: [],
        }),
      );
      expect(unknownProp.code).toBe(400);
      expect(unknownProp.body.message).toContain('PROPERTY_DOESNT_EXIST');
      const badEmail = await sdkError(
        client.crm.contacts.basicApi.create({ properties: { email: 'not-an-email' }, associations: [] }),
      );
      expect(badEmail.code).toBe(400);
    });

    it('basicApi.update (by id and idProperty=email) and getById returning only requested + default properties', async () => {
      const c = fake.addContact({ email: 'jane@example.com', firstname: 'Jane' });
      const upd = await client.crm.contacts.basicApi.update(c.id, {
        properties: { phone: '+1 555 0100', lifecyclestage: 'lead' },
      });
      expect(upd.id).toBe(c.id);
      expect(upd.properties).toMatchObject({ phone: '+1 555 0100', lifecyclestage: 'lead', email: 'jane@example.com' });
      const byEmail = await client.crm.contacts.basicApi.update(
        'JANE@example.com',
        { properties: { company: 'Acme' } },
        'email',
      );
      expect(byEmail.id).toBe(c.id);
      expect(fake.received('PATCH', `/crm/v3/objects/contacts/JANE%40example.com`)[0].query.get('idProperty')).toBe(
        'email',
      );

      const got = await client.crm.contacts.basicApi.getById(c.id, ['phone', 'company', 'website']);
      expect(got.properties).toEqual({
        company: 'Acme',
        createdate: c.createdAt,
        hs_object_id: c.id,
        lastmodifieddate: expect.any(String),
        phone: '+1 555 0100',
        website: null,
      });
      const plain = await client.crm.contacts.basicApi.getById(c.id);
      expect(Object.keys(plain.properties).sort()).toEqual([
        'createdate',
        'email',
        'firstname',
        'hs_object_id',
        'lastmodifieddate',
        'lastname',
      ]);
      const viaEmail = await client.crm.contacts.basicApi.getById(
        'jane@example.com',
        ['email'],
        undefined,
        undefined,
        false,
        'email',
      );
      expect(viaEmail.id).toBe(c.id);
      expect((await sdkError(client.crm.contacts.basicApi.update('999', { properties: { phone: '1' } }))).code).toBe(
        404,
      );
      expect((await sdkError(client.crm.contacts.basicApi.getById('999'))).code).toBe(404);
    });

    it('searchApi.doSearch: EQ email, CONTAINS_TOKEN name, OR of groups, projection, paging, limits', async () => {
      fake.setRateLimit({ searchPerSecond: Infinity });
      const jane = fake.addContact({
        email: 'jane@example.com',
        firstname: 'Jane',
        lastname: 'Doe',
        company: 'Acme Corp',
      });
      fake.addContact({ email: 'john.smith@example.com', firstname: 'John', lastname: 'Smith' });
      const janet = fake.addContact({ email: 'janet@other.org', firstname: 'Janet', lastname: 'Roe' });
      const search = client.crm.contacts.searchApi;

      const byEmail = await search.doSearch({
        filterGroups: [
          { filters: [{ propertyName: 'email', operator: FilterOperatorEnum.Eq, value: 'JANE@example.com' }] },
        ],
        properties: ['email', 'firstname'],
        limit: 10,
      });
      expect(byEmail.total).toBe(1);
      expect(byEmail.results[0].id).toBe(jane.id);
      expect(Object.keys(byEmail.results[0].properties).sort()).toEqual([
        'createdate',
        'email',
        'firstname',
        'hs_object_id',
        'lastmodifieddate',
      ]);
      expect(byEmail.paging).toBeUndefined();

      const byName = await search.doSearch({
        filterGroups: [
          { filters: [{ propertyName: 'firstname', operator: FilterOperatorEnum.ContainsToken, value: 'jan*' }] },
        ],
        limit: 1,
      });
      expect(byName.total).toBe(2);
      expect(byName.results.map((r) => r.id)).toEqual([jane.id]);
      expect(byName.paging?.next?.after).toBe('1');
      const next = await search.doSearch({
        filterGroups: [
          { filters: [{ propertyName: 'firstname', operator: FilterOperatorEnum.ContainsToken, value: 'jan*' }] },
        ],
        limit: 1,
        after: byName.paging!.next!.after,
      });
      expect(next.results.map((r) => r.id)).toEqual([janet.id]);

      const token = await search.doSearch({
        filterGroups: [
          {
            filters: [
              { propertyName: 'company', operator: FilterOperatorEnum.ContainsToken, value: 'acme' },
              { propertyName: 'lastname', operator: FilterOperatorEnum.HasProperty },
            ],
          },
          { filters: [{ propertyName: 'email', operator: FilterOperatorEnum.ContainsToken, value: '*@other.org' }] },
        ],
      });
      expect(token.results.map((r) => r.id).sort()).toEqual([jane.id, janet.id].sort());
      const inOp = await search.doSearch({
        filterGroups: [
          { filters: [{ propertyName: 'lastname', operator: FilterOperatorEnum.In, values: ['smith', 'roe'] }] },
        ],
      });
      expect(inOp.total).toBe(2);
      const missing = await search.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'phone', operator: FilterOperatorEnum.NotHasProperty }] }],
      });
      expect(missing.total).toBe(3);

      expect((await sdkError(search.doSearch({ filterGroups: [], limit: 201 }))).code).toBe(400);
      const tooLong = await sdkError(
        search.doSearch({
          filterGroups: [
            {
              filters: [
                {
                  propertyName: 'email',
                  operator: FilterOperatorEnum.In,
                  values: Array(150).fill('someone@example.com'),
                },
              ],
            },
          ],
        }),
      );
      expect(tooLong.code).toBe(400);
      expect(fake.received('POST', '/crm/v3/objects/contacts/search').at(-1)!.rawBody.length).toBeGreaterThan(3000);
    });

    it('search lags behind writes when setSearchLagMs is set; batch upsert creates and updates by email', async () => {
      fake.setSearchLagMs(150);
      const created = await client.crm.contacts.basicApi.create({
        properties: { email: 'lag@example.com' },
        associations: [],
      });
      const find = () =>
        client.crm.contacts.searchApi.doSearch({
          filterGroups: [
            { filters: [{ propertyName: 'email', operator: FilterOperatorEnum.Eq, value: 'lag@example.com' }] },
          ],
        });
      expect((await find()).total).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      expect((await find()).results.map((r) => r.id)).toEqual([created.id]);

      fake.setSearchLagMs(0);
      const upsert = await client.crm.contacts.batchApi.upsert({
        inputs: [
          { id: 'new@example.com', idProperty: 'email', properties: { firstname: 'New' } },
          { id: 'lag@example.com', idProperty: 'email', properties: { company: 'Acme' } },
        ],
      });
      const byEmail = new Map(upsert.results.map((r) => [r.properties.email, r]));
      expect(byEmail.get('new@example.com')!._new).toBe(true);
      expect(byEmail.get('lag@example.com')!._new).toBe(false);
      expect(byEmail.get('lag@example.com')!.id).toBe(created.id);
      expect(fake.getContact(created.id)!.properties.company).toBe('Acme');
      expect(fake.findContactByEmail('NEW@example.com')!.properties.firstname).toBe('New');
    });
  });

  describe('rate limits, faults and auth', () => {
    it('enforces the rolling 10-second limit: 429 reaches the SDK as code 429 and is counted', async () => {
      const { thread } = seedConversation();
      fake.setRateLimit({ perTenSeconds: 3 });
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const ok = await client.apiRequest({ path: `${CONV}/threads/${thread.id}` });
        expect(ok.status).toBe(200);
        remaining.push(ok.headers.get('x-hubspot-ratelimit-remaining'));
      }
      expect(remaining).toEqual(['2', '1', '0']);

      const raw = await client.apiRequest({ path: `${CONV}/threads/${thread.id}` });
      expect(raw.status).toBe(429);
      expect(await read(raw)).toEqual({
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        correlationId: expect.any(String),
        policyName: 'TEN_SECONDLY_ROLLING',
      });

      const typed = await sdkError(client.crm.contacts.basicApi.getById('1'));
      expect(typed.code).toBe(429);
      expect(typed.body.message).toBe('You have reached your ten_secondly_rolling limit.');
      // The SDK hands error bodies through as parsed JSON (its "Error" model is not in its type map).
      expect(typed.body.policyName).toBe('TEN_SECONDLY_ROLLING');
      expect(typed.headers['x-hubspot-ratelimit-remaining']).toBe('0');
      expect(fake.rateLimitViolations).toBe(2);
      expect(fake.rateLimitUsage().standard).toEqual({ used: 3, max: 3 });

      // Search has its own bucket and carries no rate-limit headers.
      const search = await client.apiRequest({ method: 'POST', path: '/crm/v3/objects/contacts/search', body: {} });
      expect(search.status).toBe(200);
      expect(search.headers.get('x-hubspot-ratelimit-max')).toBeNull();

      fake.resetRateLimitWindows();
      expect((await client.apiRequest({ path: `${CONV}/threads/${thread.id}` })).status).toBe(200);
    });

    it('enforces 5 searches per second', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) {
        try {
          await client.crm.contacts.searchApi.doSearch({ filterGroups: [] });
          codes.push(200);
        } catch (err) {
          codes.push((err as SdkError).code);
          expect((err as SdkError).body.message).toBe('You have reached your secondly limit.');
        }
      }
      expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
      expect(fake.rateLimitViolations).toBe(1);
    });

    it('rateLimitNext, serverErrorNext and unauthorizedNext answer the next matching calls', async () => {
      const { thread } = seedConversation();
      const path = `${CONV}/threads/${thread.id}`;
      fake.rateLimitNext(1, { retryAfterSeconds: 7, policy: 'DAILY' });
      const limited = await client.apiRequest({ path });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(await read(limited)).toMatchObject({ policyName: 'DAILY', errorType: 'RATE_LIMIT' });
      expect(fake.rateLimitViolations).toBe(1);

      fake.serverErrorNext(503, HubSpotRequests.contacts);
      expect((await client.apiRequest({ path })).status).toBe(200); // not a contacts call
      expect((await sdkError(client.crm.contacts.basicApi.getById('1'))).code).toBe(503);
      expect((await sdkError(client.crm.contacts.basicApi.getById('1'))).code).toBe(404);

      fake.unauthorizedNext();
      const denied = await client.apiRequest({ path });
      expect(denied.status).toBe(401);
      expect((await client.apiRequest({ path })).status).toBe(200);
    });

    it('answers 401 without the right bearer token, and HubSpot 404 bodies for unknown routes', async () => {
      const wrong = new Client({ accessToken: 'pat-na1-wrong', basePath: fake.url, numberOfApiCallRetries: 0 });
      const typed = await sdkError(
        wrong.crm.contacts.basicApi.create({ properties: { email: 'a@b.co' }, associations: [] }),
      );
      expect(typed.code).toBe(401);
      expect(typed.body.category).toBe('INVALID_AUTHENTICATION');
      expect(typed.body.message).toMatch(/^Authentication credentials not found/);
      const raw = await wrong.apiRequest({ path: `${CONV}/threads/1` });
      expect(raw.status).toBe(401);
      expect(await read(raw)).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
      const none = await fetch(`${fake.url}/crm/v3/objects/contacts/1`);
      expect(none.status).toBe(401);
      expect(fake.allContacts()).toHaveLength(0);
      expect(fake.rateLimitUsage().standard.used).toBe(0);

      const unknown = await client.apiRequest({ path: '/crm/v3/objects/deals/1/nope' });
      expect(unknown.status).toBe(404);
      expect(await read(unknown)).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
      expect((await wrong.apiRequest({ path: '/nope' })).status).toBe(401);
    });

    it('stop() closes kept-alive connections', async () => {
      const other = await new FakeHubSpot().start();
      const url = other.url;
      const c = new Client({ accessToken: 'any', basePath: url, numberOfApiCallRetries: 0 });
      other.addContact({ email: 'a@example.com' });
      expect((await c.crm.contacts.searchApi.doSearch({ filterGroups: [] })).total).toBe(1);
      await other.stop();
      await expect(fetch(`${url}/crm/v3/objects/contacts/1`)).rejects.toThrow();
    });
  });
});
