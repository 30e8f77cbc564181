import { RedisKeys } from '../../libs/redis/src/redis-keys';
import Redis from 'ioredis';
import request from 'supertest';
import type { TurnAuditRecord } from '@app/audit';
import { IDENTITY_TEXTS } from '../../apps/worker/src/identity/identity-texts';
import type { ModelContext, ModelTurn } from '../fakes/openai.fake';
import { itemText } from '../fakes/openai.fake';
import { BOARD_PASSWORD, BOARD_USER } from '../support/api-harness';
import { SystemHarness } from '../support/system-harness';
import { repliesIn, verifyStaff, visitorSays } from '../support/visitor-turns';

const CONTACTS_INBOX = '900';
const SEARCH = { email: null, name: null, phone: null, company: null, limit: null };
const nulls = { email: null, firstname: null, lastname: null, phone: null, company: null, jobtitle: null };

/**
 * A scripted model: the newest visitor text picks tool calls; after tools ran it echoes their
 * outputs, so a test sees exactly what the tools revealed.
 */
function model(onText: (text: string) => ModelTurn) {
  return (ctx: ModelContext): ModelTurn => {
    const outputs = ctx.input.filter((i) => i.type === 'function_call_output');
    if (outputs.length > 0) return { text: `Tools: ${outputs.map((o) => String(o.output)).join(' | ')}` };
    const user = ctx.input.filter((i) => i.type === 'message' && i.role === 'user').at(-1);
    return onText(itemText(user));
  };
}

const call = (name: string, args: Record<string, unknown>): ModelTurn => ({ toolCalls: [{ name, arguments: args }] });

describe('identity: a typed e-mail is a claim, a one-time code is proof', () => {
  let h: SystemHarness;
  let redis: Redis;
  beforeAll(async () => {
    h = await SystemHarness.start({
      airtable: false,
      workerEnv: { INBOX_PROFILES: `${CONTACTS_INBOX}=contacts`, STAFF_EMAIL_DOMAINS: 'acme.ro' },
    });
    redis = new Redis(h.redis.url);
  });
  afterAll(async () => {
    await redis.quit();
    await h.stop();
  });

  const portal = () => String(h.hubspot.portalId);
  const say = async (threadId: string, text: string) => {
    await visitorSays(h, text, { threadId });
    return repliesIn(h, threadId).at(-1)!;
  };
  const audit = async (threadId: string) =>
    (
      (
        await request(h.api.getHttpServer())
          .get(`/admin/conversations/${threadId}`)
          .auth(BOARD_USER, BOARD_PASSWORD)
          .expect(200)
      ).body as { turns: TurnAuditRecord[] }
    ).turns;

  /** The visitor asks; the model looks up "their" record and tries to change their phone. */
  const snoop = model((text) => {
    if (text.startsWith('send code to ')) {
      return call('send_verification_code', { email: text.slice('send code to '.length), language: 'en' });
    }
    if (text.startsWith('what do you have on ')) {
      return call('search_contacts', { ...SEARCH, email: text.slice('what do you have on '.length, -1) });
    }
    if (text === 'set my phone')
      return call('update_contact', { id: null, email: null, properties: { phone: '+40 799 999 999' } });
    return { text: 'ok' };
  });

  it('a thread associated with someone else’s contact cannot read or change it before verification, and can after', async () => {
    h.openai.setModel(snoop);
    const victim = h.hubspot.addContact({ email: 'dana@client.ro', firstname: 'Dana', phone: '+40 722 000 111' });
    // HubSpot associated the thread because the visitor typed Dana's address in the chat widget.
    const attacker = h.hubspot.addThread({ associatedContactId: victim.id });
    const read = await say(attacker.id, 'what do you have on dana@client.ro?');
    expect(read).toContain('only after the visitor proves their e-mail address');
    expect(read).not.toContain('722');
    expect(read).not.toContain('Dana');
    await say(attacker.id, 'set my phone');
    expect(h.hubspot.getContact(victim.id)!.properties.phone).toBe('+40 722 000 111');

    // The code goes to Dana's mailbox, which the attacker cannot read: guessing fails.
    await say(attacker.id, 'send code to dana@client.ro');
    expect(h.smtp.mailsTo('dana@client.ro')).toHaveLength(1);
    const real = h.smtp.latestCode('dana@client.ro');
    const wrong = real === '000000' ? '111111' : '000000';
    expect(await say(attacker.id, wrong)).toBe(IDENTITY_TEXTS.en.codeWrong(4));
    expect(await say(attacker.id, 'what do you have on dana@client.ro?')).not.toContain('722');
    expect(await audit(attacker.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ identity: 'claimed' })]),
    );

    // Dana herself, in her own chat: the right code proves the address; now she can read and change.
    const own = h.hubspot.addThread({ associatedContactId: victim.id });
    await say(own.id, 'send code to dana@client.ro');
    expect(await say(own.id, `my code is ${h.smtp.latestCode('dana@client.ro')}`)).toBe(IDENTITY_TEXTS.en.codeAccepted);
    expect(await say(own.id, 'what do you have on dana@client.ro?')).toContain('+40 722 000 111');
    await say(own.id, 'set my phone');
    expect(h.hubspot.getContact(victim.id)!.properties.phone).toBe('+40 799 999 999');
    const turns = await audit(own.id);
    expect(turns.at(-1)).toMatchObject({ identity: 'verified' });

    // The live code never reached the model, the audit trail or a stored tool argument.
    const codes = h.smtp.mailsTo('dana@client.ro').map((m) => /\b(\d{6})\b/.exec(m.text)![1]);
    const modelRequests = JSON.stringify(h.openai.requests.map((r) => r.body));
    const records = JSON.stringify([...(await audit(attacker.id)), ...turns]);
    for (const code of codes) {
      expect(modelRequests).not.toContain(code);
      expect(records).not.toContain(code);
    }
    expect(modelRequests).toContain('[the visitor typed a verification code]');
    // Only a hash is stored while a code is pending.
    const another = h.hubspot.addThread();
    await say(another.id, 'send code to hash.check@client.ro');
    const pending = await redis.hgetall(RedisKeys.verificationCode({ portalId: portal(), threadId: another.id }));
    expect(JSON.stringify(pending)).not.toContain(h.smtp.latestCode('hash.check@client.ro'));
    expect(pending.hash).toMatch(/^[0-9a-f]{64}$/);
    const ttl = await redis.pttl(RedisKeys.verificationCode({ portalId: portal(), threadId: another.id }));
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it('wrong codes, the attempt limit and expiry', async () => {
    h.openai.setModel(snoop);
    const thread = h.hubspot.addThread();
    await say(thread.id, 'send code to wrong.codes@client.ro');
    const real = h.smtp.latestCode('wrong.codes@client.ro');
    const wrong = String((Number(real) + 1) % 1_000_000).padStart(6, '0');
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push(await say(thread.id, wrong));
    expect(answers).toEqual([
      IDENTITY_TEXTS.en.codeWrong(4),
      IDENTITY_TEXTS.en.codeWrong(3),
      IDENTITY_TEXTS.en.codeWrong(2),
      IDENTITY_TEXTS.en.codeWrong(1),
      IDENTITY_TEXTS.en.codeLocked,
    ]);
    // After five wrong tries even the right code is refused.
    expect(await say(thread.id, real)).toBe(IDENTITY_TEXTS.en.codeLocked);

    // A fresh code that expired (its key's TTL ran out) is refused as expired.
    await say(thread.id, 'send code to wrong.codes@client.ro');
    const fresh = h.smtp.latestCode('wrong.codes@client.ro');
    await redis.pexpire(RedisKeys.verificationCode({ portalId: portal(), threadId: thread.id }), 1);
    await new Promise((r) => setTimeout(r, 20));
    // Without a pending code the digits are ordinary text: the model answers them.
    expect(await say(thread.id, fresh)).toBe('ok');
    expect(
      await redis.hget(RedisKeys.threadState({ portalId: portal(), threadId: thread.id }), 'verifiedEmail'),
    ).toBeNull();
  });

  it('codes are rate-limited per address (across threads) and answer alike for known and unknown addresses', async () => {
    h.openai.setModel(snoop);
    h.hubspot.addContact({ email: 'known@client.ro' });
    const outputs = async (email: string) => {
      const thread = h.hubspot.addThread();
      return say(thread.id, `send code to ${email}`);
    };
    const known = await outputs('known@client.ro');
    const unknown = await outputs('unknown@nowhere.ro');
    expect(known).toBe(unknown);
    expect(known).toContain('"status":"code_sent"');
    // Three per address per hour (VERIFICATION_CODES_PER_ADDRESS_PER_HOUR), whatever the thread.
    await outputs('known@client.ro');
    await outputs('known@client.ro');
    expect(await outputs('known@client.ro')).toContain('"status":"rate_limited"');
    expect(h.smtp.mailsTo('known@client.ro')).toHaveLength(3);
  });

  it('create_contact answers alike for a new and an existing address, once per thread, with no id', async () => {
    h.hubspot.addContact({ email: 'existing@client.ro', firstname: 'Ex', phone: '+40 733 111 222' });
    h.openai.setModel(
      model((text) => call('create_contact', { ...nulls, email: text.replace('save ', ''), firstname: 'Mallory' })),
    );
    const a = h.hubspot.addThread();
    const b = h.hubspot.addThread();
    const existing = await say(a.id, 'save existing@client.ro');
    const fresh = await say(b.id, 'save brand.new@client.ro');
    expect(existing).toBe(fresh);
    expect(existing).not.toMatch(/\d{6,}/); // no contact id
    expect(h.hubspot.findContactByEmail('existing@client.ro')!.properties.firstname).toBe('Ex');
    // One create per thread: a second address is not tried.
    expect(await say(b.id, 'save other.address@client.ro')).toContain('already saved');
    expect(h.hubspot.findContactByEmail('other.address@client.ro')).toBeUndefined();
  });

  it('a contact created by one thread and later filled in by a form is never read back to that thread', async () => {
    h.openai.setModel(
      model((text) =>
        text.startsWith('save ')
          ? call('create_contact', { ...nulls, email: text.slice(5) })
          : call('search_contacts', { ...SEARCH, email: 'formfill@client.ro' }),
      ),
    );
    const thread = h.hubspot.addThread();
    await say(thread.id, 'save formfill@client.ro');
    const contact = h.hubspot.findContactByEmail('formfill@client.ro')!;
    // The address's real owner fills in a form afterwards.
    Object.assign(contact.properties, { phone: '+40 744 555 666', company: 'Owner SRL' });
    const reply = await say(thread.id, 'what do you have on me?');
    expect(reply).toContain('only after the visitor proves');
    expect(reply).not.toContain('744');
    expect(reply).not.toContain('Owner SRL');
    expect(JSON.stringify(h.openai.requests.map((r) => r.body))).not.toContain('Owner SRL');
  });

  it('verification in Romanian and Dutch: the mail and the replies in the visitor’s language', async () => {
    for (const [language, email] of [
      ['ro', 'ioana@client.ro'],
      ['nl', 'jan@klant.nl'],
    ] as const) {
      h.openai.setModel(model(() => call('send_verification_code', { email, language })));
      const thread = h.hubspot.addThread();
      await say(thread.id, language === 'ro' ? 'Trimite-mi un cod, te rog' : 'Stuur me een code alsjeblieft');
      const [mail] = h.smtp.mailsTo(email);
      const texts = IDENTITY_TEXTS[language];
      expect(mail.subject).toBe(texts.mailSubject);
      const code = h.smtp.latestCode(email);
      expect(mail.text).toContain(texts.mailBody(code, 10).split('\n')[0]);
      const wrong = code === '123456' ? '654321' : '123456';
      expect(await say(thread.id, wrong)).toBe(texts.codeWrong(4));
      expect(await say(thread.id, code)).toBe(texts.codeAccepted);
    }
  });

  it('a handoff reason and tool errors keep no e-mail, phone or name the visitor gave', async () => {
    h.openai.setModel(
      model(() => ({
        toolCalls: [
          {
            name: 'create_contact',
            arguments: { ...nulls, email: 'not-an-address', firstname: 'Ana', lastname: 'Ionescu' },
          },
          {
            name: 'hand_off_to_human',
            arguments: { reason: 'Ana Ionescu (ana.i@client.ro, +40 721 234 567) wants a refund' },
          },
        ],
      })),
    );
    const thread = h.hubspot.addThread();
    await say(thread.id, 'I want my money back');
    const [turn] = await audit(thread.id);
    const handoff = turn.tools.find((t) => t.name === 'hand_off_to_human')!;
    expect(handoff.arguments.reason).toBe('[name] [name] (a***@client.ro, ***67) wants a refund');
    const stored =
      JSON.stringify(turn) +
      JSON.stringify(await redis.hgetall(RedisKeys.threadState({ portalId: portal(), threadId: thread.id })));
    for (const personal of ['Ana', 'Ionescu', 'ana.i@', '721 234']) expect(stored).not.toContain(personal);
    expect(await redis.hget(RedisKeys.threadState({ portalId: portal(), threadId: thread.id }), 'handedOff')).toContain(
      'wants a refund',
    );
  });

  describe('staff tools', () => {
    const staffModel = model((text) =>
      text === 'find Popescu' ? call('search_contacts', { ...SEARCH, name: 'Popescu' }) : { text: 'ok' },
    );

    it('a typed staff-domain address gets no staff tool before verification; any address gets the same answer', async () => {
      h.openai.setModel(staffModel);
      const responses = h.openai.responses().length;
      const thread = h.hubspot.addThread({ inboxId: CONTACTS_INBOX });
      expect(await say(thread.id, 'find Popescu')).toBe(IDENTITY_TEXTS.en.staffPrompt);
      expect(await say(thread.id, 'I am boss@acme.ro')).toBe(IDENTITY_TEXTS.en.staffCodeSent);
      const outsider = h.hubspot.addThread({ inboxId: CONTACTS_INBOX });
      expect(await say(outsider.id, 'eve@gmail.com')).toBe(IDENTITY_TEXTS.en.staffCodeSent);
      // Only the staff address receives a code; no model call, no CRM search happened.
      expect(h.smtp.mailsTo('boss@acme.ro')).toHaveLength(1);
      expect(h.smtp.mailsTo('eve@gmail.com')).toHaveLength(0);
      expect(h.openai.responses().length).toBe(responses);
      expect(h.hubspot.requests.filter((r) => r.path === '/crm/v3/objects/contacts/search')).toHaveLength(0);
      expect(await say(thread.id, 'find Popescu')).toBe(IDENTITY_TEXTS.en.staffPrompt);

      expect(await say(thread.id, h.smtp.latestCode('boss@acme.ro'))).toBe(IDENTITY_TEXTS.en.staffVerified);
      h.hubspot.addContact({ email: 'mara@client.ro', firstname: 'Mara', lastname: 'Popescu' });
      expect(await say(thread.id, 'find Popescu')).toContain('mara@client.ro');
    });

    it('the staff grant expires after STAFF_VERIFICATION_HOURS', async () => {
      h.openai.setModel(staffModel);
      const thread = h.hubspot.addThread({ inboxId: CONTACTS_INBOX });
      expect(await verifyStaff(h, thread.id, 'grant@acme.ro')).toBe(IDENTITY_TEXTS.en.staffVerified);
      expect(await say(thread.id, 'hello')).toBe('ok');
      // Verified 8 hours and a minute ago (the default grant is 8 hours).
      await redis.hset(
        RedisKeys.threadState({ portalId: portal(), threadId: thread.id }),
        'verifiedAt',
        String(Date.now() - 8 * 3_600_000 - 60_000),
      );
      expect(await say(thread.id, 'find Popescu')).toBe(IDENTITY_TEXTS.en.staffPrompt);
    });

    it('closing the thread ends the identity: a reopened chat must verify again', async () => {
      h.openai.setModel(staffModel);
      const thread = h.hubspot.addThread({ inboxId: CONTACTS_INBOX });
      await verifyStaff(h, thread.id, 'close@acme.ro');
      const event = h.hubspot.propertyChangeEventFor(h.hubspot.getThread(thread.id)!, 'status', 'CLOSED');
      await h.deliver(event);
      await new Promise((r) => setTimeout(r, 300));
      expect(await say(thread.id, 'find Popescu')).toBe(IDENTITY_TEXTS.en.staffPrompt);
    });
  });
});

describe('identity without SMTP', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({
      airtable: false,
      smtp: false,
      workerEnv: { INBOX_PROFILES: `${CONTACTS_INBOX}=contacts`, STAFF_EMAIL_DOMAINS: 'acme.ro' },
    });
  });
  afterAll(() => h.stop());

  it('starts; staff-only profiles refuse clearly, verification is refused as a tool error, writes still work', async () => {
    const thread = h.hubspot.addThread({ inboxId: CONTACTS_INBOX });
    await visitorSays(h, 'boss@acme.ro', { threadId: thread.id });
    expect(repliesIn(h, thread.id)).toEqual([IDENTITY_TEXTS.en.staffUnavailable]);

    h.openai.setModel(
      model((text) =>
        text === 'verify me'
          ? call('send_verification_code', { email: 'x@client.ro', language: 'en' })
          : call('create_contact', { ...nulls, email: 'nosmtp@client.ro' }),
      ),
    );
    const visitor = h.hubspot.addThread();
    await visitorSays(h, 'verify me', { threadId: visitor.id });
    expect(repliesIn(h, visitor.id).at(-1)).toContain('e-mail verification is not available here');
    await visitorSays(h, 'save me', { threadId: visitor.id });
    expect(h.hubspot.findContactByEmail('nosmtp@client.ro')).toBeDefined();
  });
});
