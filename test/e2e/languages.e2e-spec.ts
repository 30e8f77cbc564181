import { threadOpenedJobId } from '@app/contracts';
import { FIXED_TEXTS } from '../../apps/worker/src/profiles/fixed-texts';
import { LANGUAGE_NAMES, languageInstruction, type Language } from '../../apps/worker/src/profiles/language';
import { CONTACTS_PROFILE, SUPPORT_PROFILE } from '../../apps/worker/src/profiles/default-profiles';
import type { ModelContext } from '../fakes/openai.fake';
import { ENGINES } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { jobIdFor, repliesIn, visitorSays } from '../support/visitor-turns';

const CONTACTS_INBOX = '900';

/** A visitor's first message in each language. */
const FIRST: Record<Language, string> = {
  ro: 'Bună ziua, caut informații despre o firmă',
  nl: 'Goedemiddag, ik zoek informatie over een bedrijf',
  en: 'Good afternoon, I am looking for information about a company',
};

/** Asking for a person, in each language (recognised without the model: threads/handoff-intent.ts). */
const ASK_FOR_PERSON: Record<Language, string> = {
  ro: 'vreau să vorbesc cu un om',
  nl: 'ik wil een medewerker spreken',
  en: 'I want to talk to a person',
};

const LANGUAGES = ['ro', 'nl', 'en'] as const;

describe('languages: the welcome, the fixed texts and the model follow the visitor', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({
      airtable: false,
      workerEnv: { INBOX_PROFILES: `${CONTACTS_INBOX}=contacts`, STAFF_EMAIL_DOMAINS: 'acme.ro' },
    });
  });
  afterAll(() => h.stop());

  /** The chat opens after the visitor's first message: resolves with the posted welcome's body. */
  async function welcomeAfter(thread: { id: string }, text: string) {
    h.hubspot.addVisitorMessage(thread.id, text);
    await h.deliver(h.hubspot.creationEventFor(h.hubspot.getThread(thread.id)!));
    const job = await h.waitForJob(threadOpenedJobId({ portalId: String(h.hubspot.portalId), threadId: thread.id }));
    expect(job.returnvalue).toMatchObject({ status: 'welcomed' });
    return h.hubspot.sentMessages(thread.id)[0].body as { text: string; attachments?: unknown[] };
  }

  it.each(LANGUAGES)('welcomes in the language of the visitor’s first message (%s)', async (language) => {
    const thread = h.hubspot.addThread();
    expect((await welcomeAfter(thread, FIRST[language])).text).toBe(SUPPORT_PROFILE.welcome[language].text);
  });

  it('welcomes staff with the buttons of their language', async () => {
    const contact = h.hubspot.addContact({ email: `ana.${Date.now()}@acme.ro` });
    const thread = h.hubspot.addThread({ inboxId: CONTACTS_INBOX, associatedContactId: contact.id });
    const body = await welcomeAfter(thread, 'Bună, vreau să actualizez un contact');
    expect(body).toMatchObject({
      text: CONTACTS_PROFILE.welcome.ro.text,
      attachments: [
        {
          type: 'QUICK_REPLIES',
          quickReplies: CONTACTS_PROFILE.welcome.ro.quickReplies.map(({ label, value }) => ({ label, value })),
        },
      ],
    });
  });

  it.each(LANGUAGES)('hands off in the visitor’s language, without the model (%s)', async (language) => {
    const calls = h.openai.modelCalls().length;
    const { threadId } = await visitorSays(h, ASK_FOR_PERSON[language]);
    expect(repliesIn(h, threadId)).toEqual([FIXED_TEXTS[language].handoff]);
    expect(h.openai.modelCalls().length).toBe(calls);
  });

  it('a first message of one word falls back to the contact’s hs_language (nl-be → Dutch)', async () => {
    const contact = h.hubspot.addContact({ email: `jan.${Date.now()}@voorbeeld.nl`, hs_language: 'nl-be' });
    const thread = h.hubspot.addThread({ associatedContactId: contact.id });
    expect((await welcomeAfter(thread, 'hallo')).text).toBe(SUPPORT_PROFILE.welcome.nl.text);
    // Without hs_language (and a one-word message): the profile's language, English.
    const other = h.hubspot.addThread();
    expect((await welcomeAfter(other, 'hallo')).text).toBe(SUPPORT_PROFILE.welcome.en.text);
  });

  it('a picture alone from a visitor whose contact says hs_language ro-RO: the Romanian text', async () => {
    const contact = h.hubspot.addContact({ email: `ion.${Date.now()}@exemplu.ro`, hs_language: 'ro-RO' });
    const thread = h.hubspot.addThread({ associatedContactId: contact.id });
    const picture = { type: 'FILE', fileUsageType: 'IMAGE', name: 'factura.jpg', fileId: '9002' };
    const message = h.hubspot.addVisitorMessage(thread.id, '', { attachments: [picture] });
    await h.deliver(h.hubspot.webhookEventFor(message));
    await h.waitForJob(jobIdFor(h, message));
    expect(repliesIn(h, thread.id)).toEqual([FIXED_TEXTS.ro.attachmentOnly]);
  });
});

describe.each(ENGINES)('languages with the model (%s engine)', (engine) => {
  let h: SystemHarness;
  /** The instructions of every model call, in order. */
  let instructions: string[];
  beforeAll(async () => {
    h = await SystemHarness.start({ engine, airtable: false });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    instructions = [];
  });

  /** A model that answers `text`, or hands off when the visitor's newest text is `hand off`. */
  function model(answer = 'answer') {
    return (ctx: ModelContext) => {
      instructions.push(ctx.instructions ?? '');
      if (ctx.input.some((i) => i.type === 'function_call_output')) return { text: 'whatever the model says' };
      const newest = [...ctx.input].reverse().find((i) => i.type === 'message' && i.role === 'user');
      const said = JSON.stringify(newest?.content ?? '');
      return said.includes('"ok"') || said.includes('hand off')
        ? { toolCalls: [{ name: 'hand_off_to_human', arguments: { reason: 'visitor wants a person' } }] }
        : { text: answer };
    };
  }

  const line = (language: Language) => languageInstruction(language);

  it('tells the model the visitor’s language, at the end of the instructions', async () => {
    h.openai.setModel(model());
    for (const language of LANGUAGES) {
      await visitorSays(h, FIRST[language]);
      expect(instructions.at(-1)!.endsWith(line(language))).toBe(true);
      expect(instructions.at(-1)).toContain(`answer in ${LANGUAGE_NAMES[language]}`);
    }
  });

  it('a one-word reply ("ok") keeps the thread’s language: the handoff text and the line stay Romanian', async () => {
    h.openai.setModel(model('Sigur, vă ajut.'));
    const { threadId } = await visitorSays(h, 'Bună ziua, aș dori o ofertă pentru firma mea');
    expect(instructions.at(-1)!.endsWith(line('ro'))).toBe(true);
    await visitorSays(h, 'ok', { threadId });
    expect(instructions.at(-1)!.endsWith(line('ro'))).toBe(true);
    // The model handed off on "ok": the handoff text is Romanian, not English.
    expect(repliesIn(h, threadId)).toEqual(['Sigur, vă ajut.', FIXED_TEXTS.ro.handoff]);
  });

  it('a message of two words or more in another language switches the thread', async () => {
    h.openai.setModel(model());
    const { threadId } = await visitorSays(h, 'Goedemorgen, ik heb een vraag over mijn factuur');
    await visitorSays(h, 'Sorry, could you answer in English please?', { threadId });
    expect(instructions.map((i) => i.endsWith(line('en')))).toEqual([false, true]);
    await visitorSays(h, 'please hand off', { threadId });
    expect(repliesIn(h, threadId).at(-1)).toBe(FIXED_TEXTS.en.handoff);
  });

  it('a one-word first message with hs_language nl-be: the model is told Dutch, the handoff is Dutch', async () => {
    h.openai.setModel(model());
    const contact = h.hubspot.addContact({ email: `els.${Date.now()}@voorbeeld.be`, hs_language: 'nl-be' });
    const thread = h.hubspot.addThread({ associatedContactId: contact.id });
    await visitorSays(h, 'ok', { threadId: thread.id });
    expect(instructions.at(-1)!.endsWith(line('nl'))).toBe(true);
    expect(repliesIn(h, thread.id)).toEqual([FIXED_TEXTS.nl.handoff]);
  });
});
