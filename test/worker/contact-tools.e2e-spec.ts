import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { RateBudget } from '../../apps/worker/src/budgets/rate-budget.service';
import { WorkerMetrics } from '../../apps/worker/src/metrics/worker-metrics.service';
import { TestRedisServer } from '../support/redis-server';
import { Logger } from '@nestjs/common';
import { redactEmail, redactPhone } from '@app/logging';
import type { AssistantTool, ToolContext, VisitorIdentity } from '../../apps/worker/src/tools/assistant-tool';
import {
  DEFAULT_CONTACT_TOOLS_OPTIONS,
  type ContactToolsOptions,
} from '../../apps/worker/src/tools/contact-tool-settings';
import { CreateContactTool } from '../../apps/worker/src/tools/create-contact.tool';
import { QualifyLeadTool } from '../../apps/worker/src/tools/qualify-lead.tool';
import { SearchContactsTool } from '../../apps/worker/src/tools/search-contacts.tool';
import { redactToolArguments } from '../../apps/worker/src/tools/tool-arguments.redaction';
import { UpdateContactTool } from '../../apps/worker/src/tools/update-contact.tool';
import { loadWorkerConfig } from '../../apps/worker/src/config/worker-config';
import { HubSpotContacts } from '../../apps/worker/src/contacts/hubspot-contacts.service';
import { HubSpotNotes } from '../../apps/worker/src/contacts/hubspot-notes.service';
import { NoteOnce } from '../../apps/worker/src/contacts/note-once.service';
import { CrmWritesStore } from '../../apps/worker/src/state/crm-writes.store';
import { UpstreamError } from '../../apps/worker/src/errors/upstream.error';
import { HubSpotApiClient } from '../../apps/worker/src/hubspot/hubspot-api.client';
import { FakeHubSpot, HubSpotRequests, type HubSpotContact } from '../fakes/hubspot.fake';

const TOKEN = 'pat-test-contacts';
const ONLY_OWN = { results: [], note: 'only your own details are available' };
const VERIFY_FIRST = {
  results: [],
  note: 'stored details are shown only after the visitor proves their e-mail address: offer send_verification_code',
};
const SAVED = {
  saved: true,
  note: 'received; details already on file are kept (changing them needs e-mail verification)',
};

/** A tool's JSON output; the fields the assertions read are typed, the rest is compared whole. */
type Result = { [key: string]: unknown; results?: { id: string }[]; id?: string };
type Outcome = { ok: true; result: Result } | { ok: false; error: string };

/**
 * The contact tools end to end: our contact tool classes → HubSpotContacts → the real HubSpot SDK client →
 * FakeHubSpot over HTTP. Calls go the way ToolRegistry runs them (JSON arguments, zod validation,
 * a thrown error becomes `{error}`), with staff and visitor contexts.
 */
describe('contact tools (HubSpot SDK against the fake)', () => {
  const hubspot = new FakeHubSpot({ accessToken: TOKEN, searchPerSecond: Infinity, perTenSeconds: Infinity });
  let contacts: HubSpotContacts;
  let notes: NoteOnce;
  let writes: CrmWritesStore;
  let alice: HubSpotContact;
  let bob: HubSpotContact;
  let carol: HubSpotContact;
  let logSpy: jest.SpyInstance;
  let threadSeq = 1000;

  let redisServer: TestRedisServer;
  let redis: Redis;

  beforeAll(async () => {
    await hubspot.start();
    redisServer = await TestRedisServer.start();
    redis = new Redis(redisServer.url);
    const config = loadWorkerConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'silent',
      HUBSPOT_ACCESS_TOKEN: TOKEN,
      HUBSPOT_BASE_URL: hubspot.url,
      HUBSPOT_BOT_ACTOR_ID: 'A-777',
      HUBSPOT_TIMEOUT_MS: '5000',
      OPENAI_API_KEY: 'sk-test-openai',
    });
    const metrics = new WorkerMetrics(new Registry());
    const api = new HubSpotApiClient(config.hubspot, new RateBudget(redis, metrics), metrics);
    contacts = new HubSpotContacts(api);
    writes = new CrmWritesStore(redis);
    notes = new NoteOnce(new HubSpotNotes(api), writes);
  });
  afterAll(async () => {
    await hubspot.stop();
    await redis.quit();
    await redisServer.destroy();
  });

  beforeEach(() => {
    hubspot.reset();
    logSpy = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    alice = hubspot.addContact({
      email: 'alice@acme.ro',
      firstname: 'Alice',
      lastname: 'Ionescu',
      company: 'Acme Software SRL',
      phone: '+40 721 111 222',
      lifecyclestage: 'subscriber',
    });
    bob = hubspot.addContact({
      email: 'bob@beta.ro',
      firstname: 'Bob',
      lastname: 'Popescu',
      company: 'Beta Logistics',
      phone: '0722 333 444',
      jobtitle: 'CTO',
      lifecyclestage: 'customer',
      hs_lead_status: 'IN_PROGRESS',
    });
    carol = hubspot.addContact({
      email: 'carol@acme.ro',
      firstname: 'Carol',
      lastname: 'Popescu',
      company: 'Acme Software SRL',
      mobilephone: '+40744555666',
    });
  });
  afterEach(() => logSpy.mockRestore());

  function toolsWith(options: Partial<ContactToolsOptions> = {}): Map<string, AssistantTool> {
    const opts = { ...DEFAULT_CONTACT_TOOLS_OPTIONS, ...options };
    const tools: AssistantTool[] = [
      new SearchContactsTool(contacts),
      new CreateContactTool(contacts),
      new UpdateContactTool(contacts, opts),
      new QualifyLeadTool(contacts, opts, notes, writes),
    ];
    return new Map(tools.map((t) => [t.name, t]));
  }

  /** As ToolRegistry.execute does it: JSON arguments, zod validation, thrown errors become outputs. */
  async function invoke(
    name: string,
    args: Record<string, unknown>,
    ctx: ToolContext,
    tools = toolsWith(),
  ): Promise<Outcome> {
    const tool = tools.get(name)!;
    const parsed = tool.schema.safeParse(JSON.parse(JSON.stringify(args)));
    if (!parsed.success) return { ok: false, error: `invalid arguments: ${parsed.error.message}` };
    try {
      // Round-trip like the registry's output (drops undefined, dates → strings).
      return { ok: true, result: JSON.parse(JSON.stringify(await tool.run(parsed.data, ctx))) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  const search = (a: { email?: string; name?: string; phone?: string; company?: string; limit?: number }) => ({
    email: a.email ?? null,
    name: a.name ?? null,
    phone: a.phone ?? null,
    company: a.company ?? null,
    limit: a.limit ?? null,
  });
  const create = (a: Record<string, string>) => ({
    email: null,
    firstname: null,
    lastname: null,
    phone: null,
    company: null,
    jobtitle: null,
    ...a,
  });
  const qualify = (a: Record<string, string>) => ({
    intent: null,
    company_cui: null,
    role: null,
    budget: null,
    timeline: null,
    summary: null,
    ...a,
  });

  function staff(): ToolContext {
    return {
      portalId: String(hubspot.portalId),
      threadId: String(threadSeq++),
      messageId: 'm1',
      profile: 'contacts',
      scope: 'staff',
      visitor: {
        actorId: 'V-1',
        contactId: '1',
        email: 'agent@ourco.ro',
        identity: 'verified',
        verifiedEmail: 'agent@ourco.ro',
      },
      bindVisitorContact: jest.fn(() => Promise.resolve()),
    };
  }

  /** A visitor whose contact/e-mail came from HubSpot's association or typing: a claim. */
  function visitor(identity: Partial<VisitorIdentity> = {}): ToolContext & { bindVisitorContact: jest.Mock } {
    const level = identity.contactId || identity.email ? 'claimed' : 'anonymous';
    return {
      portalId: String(hubspot.portalId),
      threadId: String(threadSeq++),
      messageId: 'm1',
      profile: 'support',
      scope: 'visitor',
      visitor: { actorId: 'V-52000000001', identity: level, ...identity },
      bindVisitorContact: jest.fn(() => Promise.resolve()),
    };
  }

  /** A visitor who proved `email` with a one-time code in this thread. */
  function verifiedVisitor(email: string, contactId?: string) {
    return visitor({ contactId, email, identity: 'verified', verifiedEmail: email });
  }

  const ids = (o: Outcome) => (o.ok ? (o.result.results ?? []).map((r) => r.id).sort() : o.error);
  const patches = () => hubspot.received('PATCH', /^\/crm\/v3\/objects\/contacts\//);
  const snapshot = () => JSON.stringify(hubspot.allContacts());

  // ------------------------------------------------------------------------------------ staff

  describe('staff scope', () => {
    it('searches by e-mail (exact, case-insensitive) and returns the fixed property set', async () => {
      const out = await invoke('search_contacts', search({ email: ' ALICE@Acme.ro ' }), staff());
      expect(out).toEqual({
        ok: true,
        result: {
          results: [
            {
              id: alice.id,
              properties: {
                email: 'alice@acme.ro',
                firstname: 'Alice',
                lastname: 'Ionescu',
                phone: '+40 721 111 222',
                company: 'Acme Software SRL',
                jobtitle: null,
                lifecyclestage: 'subscriber',
                hs_lead_status: null,
              },
            },
          ],
        },
      });
      const [req] = hubspot.received('POST', '/crm/v3/objects/contacts/search');
      expect(req.body).toMatchObject({
        filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'alice@acme.ro' }] }],
      });
    });

    it('searches by name: first or last name, full name in either order', async () => {
      expect(ids(await invoke('search_contacts', search({ name: 'popescu' }), staff()))).toEqual(
        [bob.id, carol.id].sort(),
      );
      expect(ids(await invoke('search_contacts', search({ name: 'Bob Popescu' }), staff()))).toEqual([bob.id]);
      expect(ids(await invoke('search_contacts', search({ name: 'Popescu Carol' }), staff()))).toEqual([carol.id]);
      expect(ids(await invoke('search_contacts', search({ name: 'Nobody Here' }), staff()))).toEqual([]);
    });

    it('searches by company, ANDed with the other criteria', async () => {
      expect(ids(await invoke('search_contacts', search({ company: 'Acme Software' }), staff()))).toEqual(
        [alice.id, carol.id].sort(),
      );
      expect(ids(await invoke('search_contacts', search({ company: 'acme', name: 'Popescu' }), staff()))).toEqual([
        carol.id,
      ]);
      expect(ids(await invoke('search_contacts', search({ email: 'bob@beta.ro', company: 'Acme' }), staff()))).toEqual(
        [],
      );
    });

    it('searches by phone or mobile phone, as typed or by its last digits', async () => {
      expect(ids(await invoke('search_contacts', search({ phone: '0722 333 444' }), staff()))).toEqual([bob.id]);
      expect(ids(await invoke('search_contacts', search({ phone: '0744 555 666' }), staff()))).toEqual([carol.id]);
    });

    it('returns at most 10 results, fewer when asked; a larger limit is refused', async () => {
      for (let i = 0; i < 14; i++)
        hubspot.addContact({ email: `p${i}@mega.ro`, firstname: `P${i}`, company: 'Mega Corp' });
      const all = await invoke('search_contacts', search({ company: 'Mega Corp' }), staff());
      expect(all.ok && all.result.results).toHaveLength(10);
      const three = await invoke('search_contacts', search({ company: 'Mega Corp', limit: 3 }), staff());
      expect(three.ok && three.result.results).toHaveLength(3);
      expect(await invoke('search_contacts', search({ company: 'Mega Corp', limit: 50 }), staff())).toMatchObject({
        ok: false,
      });
      expect(await invoke('search_contacts', search({}), staff())).toEqual({
        ok: false,
        error: 'give at least one of: email, name, phone, company',
      });
    });

    it('creates a contact; the same e-mail again returns the existing contact unchanged (created: false)', async () => {
      const first = await invoke(
        'create_contact',
        create({ email: 'New.Person@Example.com', firstname: 'New', lastname: 'Person', phone: '+40 733 000 111' }),
        staff(),
      );
      expect(first).toMatchObject({ ok: true, result: { created: true } });
      const id = first.ok ? first.result.id! : '';
      expect(hubspot.getContact(id)?.properties).toMatchObject({ email: 'new.person@example.com', firstname: 'New' });

      const again = await invoke(
        'create_contact',
        create({ email: 'new.person@example.com', firstname: 'Other' }),
        staff(),
      );
      expect(again).toMatchObject({
        ok: true,
        result: { id, created: false, contact: { id, properties: { firstname: 'New' } } },
      });
      expect(hubspot.getContact(id)?.properties.firstname).toBe('New');
      expect(hubspot.allContacts().filter((c) => c.properties.email === 'new.person@example.com')).toHaveLength(1);
    });

    it('stays idempotent while search does not show the new contact yet (index lag)', async () => {
      hubspot.setSearchLagMs(60_000);
      const first = await invoke('create_contact', create({ email: 'lag@example.com', firstname: 'Lagging' }), staff());
      const id = first.ok ? first.result.id! : 'none';
      expect(first).toMatchObject({ ok: true, result: { created: true } });

      // Search does not see it yet; the e-mail lookup (not subject to the lag) does.
      expect(ids(await invoke('search_contacts', search({ name: 'Lagging' }), staff()))).toEqual([]);
      expect(ids(await invoke('search_contacts', search({ email: 'lag@example.com' }), staff()))).toEqual([id]);

      // A retry of the create (e.g. after a timeout) gets the same contact, not a second one.
      const retry = await invoke('create_contact', create({ email: 'LAG@example.com', firstname: 'Lagging' }), staff());
      expect(retry).toMatchObject({ ok: true, result: { id, created: false } });
      expect(hubspot.allContacts().filter((c) => c.properties.email === 'lag@example.com')).toHaveLength(1);
    });

    it('validates create: an e-mail or a name is needed, a bad e-mail never reaches HubSpot', async () => {
      expect(await invoke('create_contact', create({ company: 'Nameless SRL' }), staff())).toEqual({
        ok: false,
        error: 'give an e-mail address or at least a first or last name',
      });
      expect(await invoke('create_contact', create({ email: 'not-an-email', firstname: 'X' }), staff())).toEqual({
        ok: false,
        error: 'email: is not a valid e-mail address',
      });
      expect(await invoke('create_contact', create({ firstname: 'Only', lastname: 'Name' }), staff())).toMatchObject({
        ok: true,
        result: { created: true },
      });
      expect(hubspot.received('POST', '/crm/v3/objects/contacts')).toHaveLength(1);
    });

    it('updates allow-listed properties by id or e-mail and returns what changed', async () => {
      const out = await invoke(
        'update_contact',
        {
          id: alice.id,
          email: null,
          properties: {
            phone: '+40 700 000 001',
            lifecyclestage: 'Marketing Qualified Lead',
            company: 'Acme Software SRL',
            jobtitle: null,
          },
        },
        staff(),
      );
      expect(out).toEqual({
        ok: true,
        result: {
          id: alice.id,
          changed: {
            phone: { from: '+40 721 111 222', to: '+40 700 000 001' },
            lifecyclestage: { from: 'subscriber', to: 'marketingqualifiedlead' },
          },
        },
      });
      expect(patches()).toHaveLength(1);
      expect(patches()[0].body).toEqual({
        properties: { phone: '+40 700 000 001', lifecyclestage: 'marketingqualifiedlead' },
      });

      const byEmail = await invoke(
        'update_contact',
        { id: null, email: 'BOB@beta.ro', properties: { hs_lead_status: 'connected' } },
        staff(),
      );
      expect(byEmail).toEqual({
        ok: true,
        result: { id: bob.id, changed: { hs_lead_status: { from: 'IN_PROGRESS', to: 'CONNECTED' } } },
      });

      // Nothing different: no write at all.
      const same = await invoke(
        'update_contact',
        { id: bob.id, email: null, properties: { jobtitle: 'CTO' } },
        staff(),
      );
      expect(same).toEqual({ ok: true, result: { id: bob.id, changed: {} } });
      expect(patches()).toHaveLength(2);
    });

    it('refuses non-allow-listed properties and invalid values before calling HubSpot', async () => {
      const before = snapshot();
      const attempts: [Record<string, unknown>, RegExp][] = [
        [{ email: 'new@example.com' }, /email: cannot be set here/],
        [{ hubspot_owner_id: '123' }, /hubspot_owner_id: cannot be set here/],
        [{ phone: 'call me maybe' }, /phone: may only contain digits/],
        [{ mobilephone: '123' }, /mobilephone: must contain 6 to 20 digits/],
        [{ lifecyclestage: 'vip' }, /lifecyclestage: must be one of/],
        [{ hs_lead_status: 'HOT' }, /hs_lead_status: must be one of/],
        [{ firstname: null }, /nothing to update/],
      ];
      for (const [properties, error] of attempts) {
        const out = await invoke('update_contact', { id: alice.id, email: null, properties }, staff());
        expect(out.ok).toBe(false);
        expect(!out.ok && out.error).toMatch(error);
      }
      expect(
        await invoke('update_contact', { id: alice.id, email: 'alice@acme.ro', properties: { city: 'Cluj' } }, staff()),
      ).toEqual({
        ok: false,
        error: 'give either the contact id or its e-mail (not both)',
      });
      expect(
        await invoke('update_contact', { id: '999999', email: null, properties: { city: 'Cluj' } }, staff()),
      ).toEqual({
        ok: false,
        error: 'no contact with this id',
      });
      expect(patches()).toHaveLength(0);
      expect(snapshot()).toBe(before);
    });

    it("turns HubSpot's 400 into a short readable error", async () => {
      const tools = toolsWith({ updatableProperties: ['city', 'favourite_color'] });
      const out = await invoke(
        'update_contact',
        { id: alice.id, email: null, properties: { favourite_color: 'teal' } },
        staff(),
        tools,
      );
      expect(out).toEqual({
        ok: false,
        error: 'HubSpot rejected the values: Property "favourite_color" does not exist (PROPERTY_DOESNT_EXIST)',
      });
    });

    it('maps rate limits and server errors to retryable UpstreamErrors, auth failures to permanent ones', async () => {
      hubspot.rateLimitNext(1, { retryAfterSeconds: 3, match: HubSpotRequests.search });
      const limited = await contacts.search({ name: 'Alice' }).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(UpstreamError);
      expect(limited).toMatchObject({ provider: 'hubspot', retryable: true, status: 429, retryAfterMs: 3000 });

      hubspot.serverErrorNext(503, HubSpotRequests.contacts);
      await expect(contacts.getById(alice.id)).rejects.toMatchObject({ retryable: true, status: 503 });

      hubspot.rateLimitNext(1, { policy: 'DAILY' });
      await expect(contacts.getById(alice.id)).rejects.toMatchObject({ retryable: false, status: 429 });

      hubspot.unauthorizedNext(1);
      await expect(contacts.create({ email: 'x@example.com' })).rejects.toMatchObject({
        retryable: false,
        status: 401,
      });
    });

    it('qualify_lead is not available to staff', async () => {
      expect(await invoke('qualify_lead', qualify({ intent: 'x' }), staff())).toEqual({
        ok: false,
        error: 'qualify_lead is not available here',
      });
    });
  });

  // ------------------------------------------------------------------------------------ visitor

  describe('visitor scope', () => {
    it('searching for someone else returns nothing and never asks HubSpot (no existence oracle)', async () => {
      const ctx = verifiedVisitor('alice@acme.ro', alice.id);
      const existing = await invoke('search_contacts', search({ email: 'bob@beta.ro' }), ctx);
      const missing = await invoke('search_contacts', search({ email: 'nobody@nowhere.ro' }), ctx);
      const byName = await invoke('search_contacts', search({ name: 'Popescu' }), ctx);
      const byCompany = await invoke('search_contacts', search({ company: 'Beta Logistics' }), ctx);
      for (const out of [existing, missing, byName, byCompany]) expect(out).toEqual({ ok: true, result: ONLY_OWN });

      // Unverified (anonymous, or a contact HubSpot associated): nothing is read back at all.
      for (const unverified of [visitor({}), visitor({ contactId: alice.id, email: 'alice@acme.ro' })]) {
        expect(await invoke('search_contacts', search({ email: 'bob@beta.ro' }), unverified)).toEqual({
          ok: true,
          result: VERIFY_FIRST,
        });
      }
      expect(hubspot.received('POST', '/crm/v3/objects/contacts/search')).toHaveLength(0);
      expect(hubspot.requests.some((r) => r.path.includes(bob.id) || decodeURIComponent(r.path).includes('bob@'))).toBe(
        false,
      );
    });

    it('searching for their own e-mail (or matching own details) returns their own contact, without sales fields', async () => {
      const ctx = verifiedVisitor('alice@acme.ro', alice.id);
      const own = {
        ok: true,
        result: {
          results: [
            {
              id: alice.id,
              properties: {
                email: 'alice@acme.ro',
                firstname: 'Alice',
                lastname: 'Ionescu',
                phone: '+40 721 111 222',
                company: 'Acme Software SRL',
                jobtitle: null,
              },
            },
          ],
        },
      };
      expect(await invoke('search_contacts', search({ email: 'Alice@Acme.ro' }), ctx)).toEqual(own);
      expect(await invoke('search_contacts', search({ name: 'Alice' }), ctx)).toEqual(own);

      // Verified by code, no contact bound to the thread yet: found by the proved address.
      const bobCtx = verifiedVisitor('bob@beta.ro');
      expect(ids(await invoke('search_contacts', search({ email: 'bob@beta.ro' }), bobCtx))).toEqual([bob.id]);
      // HubSpot's association or a typed address alone is a claim: their record is not read back.
      const requests = hubspot.requests.length;
      const claimed = visitor({ contactId: alice.id, email: 'alice@acme.ro' });
      expect(await invoke('search_contacts', search({ email: 'alice@acme.ro' }), claimed)).toEqual({
        ok: true,
        result: VERIFY_FIRST,
      });
      expect(hubspot.requests.length).toBe(requests);
    });

    it('creates their contact when the thread has none, binds it, and refuses a second create', async () => {
      const ctx = visitor({});
      const out = await invoke(
        'create_contact',
        create({ email: 'Vera@New.ro', firstname: 'Vera', phone: '+40 755 000 111' }),
        ctx,
      );
      const created = hubspot.findContactByEmail('vera@new.ro')!;
      expect(created.properties).toMatchObject({ email: 'vera@new.ro', firstname: 'Vera', phone: '+40 755 000 111' });
      // No id, no stored properties before verification.
      expect(out).toEqual({ ok: true, result: SAVED });
      expect(ctx.bindVisitorContact).toHaveBeenCalledTimes(1);
      expect(ctx.bindVisitorContact).toHaveBeenCalledWith(created.id);

      const second = await invoke('create_contact', create({ email: 'other@new.ro', firstname: 'Vera' }), ctx);
      expect(second).toEqual({ ok: false, error: 'your details are already saved; use update_contact to add to them' });
      expect(hubspot.findContactByEmail('other@new.ro')).toBeUndefined();
      expect(ctx.bindVisitorContact).toHaveBeenCalledTimes(1);
    });

    it("creating with another person's e-mail (409) answers exactly like a new address and reveals nothing", async () => {
      const ctx = visitor({ email: 'mallory@evil.ro' });
      const before = snapshot();
      const out = await invoke('create_contact', create({ email: 'bob@beta.ro', firstname: 'Mallory' }), ctx);
      // The same answer as for an address nobody has (no enumeration of customers).
      expect(out).toEqual({ ok: true, result: SAVED });
      const text = JSON.stringify(out);
      for (const secret of [bob.id, 'Bob', 'Popescu', 'Beta', '0722', 'CTO']) expect(text).not.toContain(secret);
      // Bound as a claim: later calls may add to empty fields only, never read or overwrite.
      expect(ctx.bindVisitorContact).toHaveBeenCalledWith(bob.id);
      expect(snapshot()).toBe(before);
      const requests = hubspot.requests.length;
      expect(await invoke('search_contacts', search({ email: 'bob@beta.ro' }), ctx)).toEqual({
        ok: true,
        result: VERIFY_FIRST,
      });
      expect(hubspot.requests.length).toBe(requests);
      expect(
        await invoke('update_contact', { id: null, email: null, properties: { firstname: 'Mallory' } }, ctx),
      ).toEqual({ ok: true, result: SAVED });
      expect(snapshot()).toBe(before);
      expect(hubspot.received('POST', '/crm/v3/objects/contacts')).toHaveLength(1); // the attempt answered 409
    });

    it('creating with their own code-verified e-mail that already exists binds it and returns the id only', async () => {
      const ctx = verifiedVisitor('bob@beta.ro');
      const out = await invoke('create_contact', create({ email: 'BOB@beta.ro', firstname: 'Robert' }), ctx);
      expect(out).toEqual({ ok: true, result: { saved: true, id: bob.id } });
      expect(ctx.bindVisitorContact).toHaveBeenCalledWith(bob.id);
      expect(hubspot.getContact(bob.id)?.properties.firstname).toBe('Bob');
    });

    it('refuses to update anyone else: no HubSpot call, nothing changed', async () => {
      const ctx = verifiedVisitor('alice@acme.ro', alice.id);
      const before = snapshot();
      const requestsBefore = hubspot.requests.length;
      const attempts = [
        { id: bob.id, email: null, properties: { firstname: 'Hacked' } },
        { id: null, email: 'bob@beta.ro', properties: { firstname: 'Hacked' } },
        { id: bob.id, email: 'alice@acme.ro', properties: { firstname: 'Hacked' } },
      ];
      for (const args of attempts) {
        expect(await invoke('update_contact', args, ctx)).toEqual({
          ok: false,
          error: 'you can only update your own details',
        });
      }
      expect(hubspot.requests.length).toBe(requestsBefore);
      expect(patches()).toHaveLength(0);
      expect(snapshot()).toBe(before);
    });

    it('a claimed visitor adds to empty fields only and learns nothing about what is stored', async () => {
      const ctx = visitor({ contactId: carol.id, email: 'carol@acme.ro' });
      const stored = { ...hubspot.getContact(carol.id)!.properties };
      const out = await invoke(
        'update_contact',
        { id: null, email: null, properties: { firstname: 'Mallory', phone: '0700 000 000', city: 'Brasov' } },
        ctx,
      );
      expect(out).toEqual({ ok: true, result: SAVED });
      expect(JSON.stringify(out)).not.toContain(stored.firstname);
      // firstname had a value: kept; phone and city were empty: filled.
      expect(hubspot.getContact(carol.id)!.properties).toMatchObject({
        firstname: 'Carol',
        phone: '0700 000 000',
        city: 'Brasov',
      });
      expect(stored.phone ?? '').toBe('');
    });

    it('updates their own contact (allow-listed, validated)', async () => {
      const ctx = verifiedVisitor('alice@acme.ro', alice.id);
      expect(
        await invoke(
          'update_contact',
          { id: null, email: null, properties: { jobtitle: 'Head of IT', city: 'Cluj-Napoca' } },
          ctx,
        ),
      ).toEqual({
        ok: true,
        result: {
          id: alice.id,
          changed: { jobtitle: { from: null, to: 'Head of IT' }, city: { from: null, to: 'Cluj-Napoca' } },
        },
      });
      // Their own id or verified e-mail as the target is fine too.
      expect(
        await invoke(
          'update_contact',
          { id: alice.id, email: 'alice@acme.ro', properties: { phone: '0721 999 888' } },
          ctx,
        ),
      ).toMatchObject({ ok: true, result: { changed: { phone: { from: '+40 721 111 222', to: '0721 999 888' } } } });
      // Sales-owned fields and invalid values are refused.
      expect(
        await invoke('update_contact', { id: null, email: null, properties: { lifecyclestage: 'customer' } }, ctx),
      ).toMatchObject({
        ok: false,
        error: expect.stringMatching(/lifecyclestage: cannot be set here/),
      });
      expect(await invoke('update_contact', { id: null, email: null, properties: { phone: '12' } }, ctx)).toMatchObject(
        {
          ok: false,
          error: expect.stringMatching(/phone: must contain 6 to 20 digits/),
        },
      );
      expect(hubspot.getContact(alice.id)?.properties).toMatchObject({
        jobtitle: 'Head of IT',
        city: 'Cluj-Napoca',
        phone: '0721 999 888',
        lifecyclestage: 'subscriber',
      });
    });

    it('without a contact of their own, update and qualify_lead ask for the e-mail first', async () => {
      const ctx = visitor({});
      expect(await invoke('update_contact', { id: null, email: null, properties: { city: 'Iasi' } }, ctx)).toEqual({
        ok: false,
        error: 'share your e-mail first so we can save this',
      });
      expect(await invoke('qualify_lead', qualify({ intent: 'pricing' }), ctx)).toEqual({
        ok: false,
        error: 'share your e-mail first so we can save this',
      });
      expect(patches()).toHaveLength(0);
    });

    it('qualify_lead writes the configured properties and note on their own contact only', async () => {
      hubspot.defineContactProperty('chat_qualification');
      const tools = toolsWith({
        leadProperties: { lifecyclestage: 'salesqualifiedlead', hs_lead_status: 'OPEN' },
        leadNoteProperty: 'chat_qualification',
      });
      const ctx = verifiedVisitor('alice@acme.ro', alice.id);
      const others = JSON.stringify([hubspot.getContact(bob.id), hubspot.getContact(carol.id)]);
      const out = await invoke(
        'qualify_lead',
        qualify({
          intent: 'CRM integration',
          company_cui: 'RO14837428',
          role: 'IT manager',
          budget: '5000 EUR',
          timeline: 'Q3',
          summary: 'Wants HubSpot chat connected to their ERP.\nCall on Monday.',
        }),
        ctx,
        tools,
      );
      expect(out).toEqual({
        ok: true,
        result: {
          saved: true,
          id: alice.id,
          noted: true,
          updated: ['lifecyclestage', 'hs_lead_status', 'jobtitle', 'chat_qualification'],
        },
      });
      // The qualification is a note on her timeline, associated with her contact only.
      const [note] = hubspot.crm.notesOf(alice.id);
      expect(note.properties.hs_note_body).toContain('Intent: CRM integration<br>Company CUI: 14837428');
      expect(note.properties.hs_timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(hubspot.crm.notes.size).toBe(1);
      const props = hubspot.getContact(alice.id)!.properties;
      expect(props).toMatchObject({
        lifecyclestage: 'salesqualifiedlead',
        hs_lead_status: 'OPEN',
        jobtitle: 'IT manager',
      });
      expect(props.chat_qualification).toMatch(/^Chat qualification \d{4}-\d{2}-\d{2}\n/);
      expect(props.chat_qualification).toContain('Intent: CRM integration\nCompany CUI: 14837428\nRole: IT manager');
      expect(props.chat_qualification).toContain(
        'Summary: Wants HubSpot chat connected to their ERP.\nCall on Monday.',
      );
      expect(JSON.stringify([hubspot.getContact(bob.id), hubspot.getContact(carol.id)])).toBe(others);
      expect(patches().map((r) => r.path)).toEqual([`/crm/v3/objects/contacts/${alice.id}`]);
    });

    it('qualify_lead never moves a contact back in the funnel nor resets a status sales set; the note is capped', async () => {
      const ctx = verifiedVisitor('bob@beta.ro', bob.id);
      const out = await invoke('qualify_lead', qualify({ intent: 'renewal', summary: 'x'.repeat(2000) }), ctx);
      // Issue 15: the summary goes to a note, no longer into the contact's `message`.
      expect(out).toEqual({ ok: true, result: { saved: true, id: bob.id, noted: true, updated: [] } });
      const props = hubspot.getContact(bob.id)!.properties;
      expect(props).toMatchObject({ lifecyclestage: 'customer', hs_lead_status: 'IN_PROGRESS' });
      expect(props.message).toBeUndefined();
      const body = hubspot.crm.notesOf(bob.id)[0].properties.hs_note_body;
      expect(/x+/.exec(body)![0].length).toBeLessThanOrEqual(1000);
    });

    it('qualify_lead for a claimed contact writes, reveals nothing and overwrites nothing the visitor said', async () => {
      const ctx = visitor({ contactId: bob.id, email: 'bob@beta.ro' });
      const before = hubspot.getContact(bob.id)!.properties;
      const out = await invoke('qualify_lead', qualify({ intent: 'renewal', role: 'Intern' }), ctx);
      expect(out).toEqual({ ok: true, result: { saved: true } });
      const after = hubspot.getContact(bob.id)!.properties;
      expect(after.jobtitle).toBe(before.jobtitle);
      expect(after.message).toBe(before.message);
      expect(after).toMatchObject({ lifecyclestage: 'customer', hs_lead_status: 'IN_PROGRESS' });
    });

    it('qualify_lead keeps what a person or a form wrote, unless the operator allowed overwriting it', async () => {
      hubspot.getContact(bob.id)!.properties.message = 'Typed in the pricing form';
      const ctx = verifiedVisitor('bob@beta.ro', bob.id);
      const keep = toolsWith({ leadNoteProperty: 'message' });
      const out = await invoke('qualify_lead', qualify({ intent: 'renewal', role: 'Intern' }), ctx, keep);
      expect(out).toEqual({ ok: true, result: { saved: true, id: bob.id, noted: true, updated: [] } });
      expect(hubspot.getContact(bob.id)!.properties).toMatchObject({
        jobtitle: 'CTO',
        message: 'Typed in the pricing form',
      });
      const allow = toolsWith({ overwriteProperties: ['jobtitle'] });
      const again = await invoke('qualify_lead', qualify({ intent: 'renewal', role: 'CIO' }), ctx, allow);
      expect(again).toEqual({ ok: true, result: { saved: true, id: bob.id, noted: true, updated: ['jobtitle'] } });
      expect(hubspot.getContact(bob.id)!.properties.jobtitle).toBe('CIO');
      // A claimed identity never replaces anything, whatever the operator allowed.
      const claim = visitor({ contactId: bob.id, email: 'bob@beta.ro' });
      await invoke('qualify_lead', qualify({ intent: 'renewal', role: 'Intern' }), claim, allow);
      expect(hubspot.getContact(bob.id)!.properties.jobtitle).toBe('CIO');
      expect(hubspot.crm.notesOf(bob.id)).toHaveLength(3);
    });

    it('qualify_lead writes its note once when the same call is run again (a retry after a crash)', async () => {
      const ctx = verifiedVisitor('alice@acme.ro', alice.id);
      const args = qualify({ intent: 'CRM integration', budget: '5000 EUR' });
      await invoke('qualify_lead', args, ctx);
      await invoke('qualify_lead', args, ctx);
      expect(hubspot.crm.notesOf(alice.id)).toHaveLength(1);
      expect(hubspot.received('POST', '/crm/v3/objects/notes')).toHaveLength(1);
    });

    it('prompt injection: update_contact on another id with an attacker e-mail is refused, HubSpot untouched', async () => {
      const ctx = verifiedVisitor('alice@acme.ro', alice.id);
      const before = snapshot();
      const injected = await invoke(
        'update_contact',
        { id: bob.id, email: null, properties: { email: 'attacker@evil.com' } },
        ctx,
      );
      expect(injected).toEqual({ ok: false, error: 'you can only update your own details' });
      // Even on their own contact the e-mail (their identity) cannot be changed.
      const own = await invoke(
        'update_contact',
        { id: alice.id, email: null, properties: { email: 'attacker@evil.com' } },
        ctx,
      );
      expect(own).toMatchObject({ ok: false, error: expect.stringMatching(/email: cannot be set here/) });
      expect(patches()).toHaveLength(0);
      expect(snapshot()).toBe(before);
      expect(hubspot.findContactByEmail('attacker@evil.com')).toBeUndefined();
    });
  });

  // ------------------------------------------------------------------------------------ logs

  describe('log redaction', () => {
    it('redacts e-mails, phone numbers and other contact text (one rule for logs and audit)', () => {
      expect(redactEmail('jane.doe@example.com')).toBe('j***@example.com');
      expect(redactPhone('+40 721 234 567')).toBe('***67');
      expect(
        redactToolArguments(
          'update_contact',
          JSON.stringify({
            id: '37765128901',
            email: 'Jane@Example.com',
            properties: { phone: '+40 721 234 567', mobilephone: '0744-555-666', firstname: 'Jane' },
            summary: 'call 0744 555 666 or write to jane.doe@example.com before 2025',
            limit: 5,
            company_cui: '14837428',
          }),
        ),
      ).toEqual({
        id: '37765128901',
        email: 'J***@Example.com',
        properties: { phone: '***67', mobilephone: '***66', firstname: '[4 chars]' },
        summary: '[62 chars]',
        limit: 5,
        company_cui: '14837428',
      });
    });

    it('logs every tool call with redacted arguments', async () => {
      const ctx = visitor({});
      await invoke(
        'create_contact',
        create({ email: 'vera@new.ro', firstname: 'Vera', phone: '+40 755 000 111' }),
        ctx,
      );
      const logged = JSON.stringify(logSpy.mock.calls);
      expect(logSpy).toHaveBeenCalledWith(
        expect.objectContaining({
          tool: 'create_contact',
          scope: 'visitor',
          threadId: ctx.threadId,
          args: expect.objectContaining({ email: 'v***@new.ro', phone: '***11', firstname: '[4 chars]' }),
        }),
        'contact tool call',
      );
      expect(logged).not.toContain('vera@new.ro');
      expect(logged).not.toContain('755 000 111');
      expect(logged).not.toContain('Vera');
    });
  });
});
