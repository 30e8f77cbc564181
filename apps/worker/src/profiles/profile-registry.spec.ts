import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configProblems } from '@app/config';
import { loadWorkerConfig } from '../config/worker-config';
import { ProfileRegistry } from './profile-registry.service';
import { FIXED_TEXTS, codeWrongText, fillText, textsFor } from './fixed-texts';
import { LANGUAGES } from './language';
import { tappedQuickReply } from './quick-replies';

const base = {
  REDIS_URL: 'redis://r:6379',
  HUBSPOT_ACCESS_TOKEN: 'pat-00000000',
  HUBSPOT_BOT_ACTOR_ID: 'A-1',
  OPENAI_API_KEY: 'sk-00000000',
};

function registry(env: Record<string, string> = {}) {
  return new ProfileRegistry(loadWorkerConfig({ ...base, ...env }).profiles);
}

function profilesFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'profiles-')), 'profiles.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('ProfileRegistry', () => {
  it('maps inboxes to profiles and falls back to DEFAULT_PROFILE', () => {
    const r = registry({ INBOX_PROFILES: '111=contacts, 222=support' });
    expect(r.forInbox('111').name).toBe('contacts');
    expect(r.forInbox('222').name).toBe('support');
    expect(r.forInbox('999').name).toBe('support');
    expect(r.forInbox(undefined).name).toBe('support');
    expect(registry({ DEFAULT_PROFILE: 'contacts' }).forInbox('999').name).toBe('contacts');
  });

  it('ships the seeds: contacts greets with three buttons and is staff-only', () => {
    const contacts = registry().get('contacts');
    expect(contacts.staffOnly).toBe(true);
    expect(contacts.welcome.en.quickReplies.map((q) => q.label)).toEqual([
      'Search contact',
      'Create new contact',
      'Update contact',
    ]);
    expect(registry().get('support').tools).toContain('get_company');
  });

  it('applies PROFILES_FILE without code changes, including a new profile', () => {
    const path = profilesFile({
      support: { welcome: { text: 'Salut!', quickReplies: [] } },
      sales: { tools: ['search_companies'], handoffPhrases: ['vanzari'] },
    });
    const r = registry({ PROFILES_FILE: path, INBOX_PROFILES: '5=sales' });
    expect(r.get('support').welcome.en.text).toBe('Salut!');
    expect(r.get('support').welcome.ro.text).toBe('Salut!');
    expect(r.forInbox('5')).toMatchObject({ name: 'sales', tools: ['search_companies'], scope: 'visitor' });
  });

  it('stops at boot on an invalid profiles file or an unknown profile name', () => {
    expect(() => registry({ PROFILES_FILE: profilesFile({ support: { colour: 'red' } }) })).toThrow(/PROFILES_FILE/);
    expect(() => registry({ PROFILES_FILE: '/nonexistent/profiles.json' })).toThrow(/PROFILES_FILE/);
    expect(() => registry({ INBOX_PROFILES: '1=nope' })).toThrow(/unknown assistant profile/);
  });

  it('validates INBOX_PROFILES and STAFF_EMAIL_DOMAINS in config', () => {
    expect(configProblems(loadWorkerConfig, { ...base, INBOX_PROFILES: 'contacts' })).toEqual([
      'INBOX_PROFILES must look like 123=contacts,456=support',
    ]);
    expect(loadWorkerConfig({ ...base, STAFF_EMAIL_DOMAINS: 'Acme.ro, @firma.ro' }).profiles.staffEmailDomains).toEqual(
      ['acme.ro', 'firma.ro'],
    );
  });

  describe('fixed texts per profile and language', () => {
    it('ships every text in en, ro and nl, none blank, with the same placeholders', () => {
      for (const language of LANGUAGES) {
        expect(Object.keys(FIXED_TEXTS[language]).sort()).toEqual(Object.keys(FIXED_TEXTS.en).sort());
        for (const [key, text] of Object.entries(FIXED_TEXTS[language])) {
          expect(text.trim()).not.toBe('');
          const placeholders = (t: string) => (t.match(/\{\w+\}/g) ?? []).sort();
          expect([key, placeholders(text)]).toEqual([key, placeholders(FIXED_TEXTS.en[key as 'handoff'])]);
        }
      }
      expect(codeWrongText(FIXED_TEXTS.ro, 3)).toBe('Codul nu este corect. Mai poți încerca de 3 ori.');
      expect(codeWrongText(FIXED_TEXTS.ro, 1)).toBe('Codul nu este corect. Mai poți încerca o dată.');
      expect(fillText('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    });

    it('the shipped welcome and buttons exist in every language, with the same button values', () => {
      for (const profile of [registry().get('support'), registry().get('contacts')]) {
        const values = profile.welcome.en.quickReplies.map((q) => q.value);
        for (const language of LANGUAGES) {
          expect(profile.welcome[language].text.trim()).not.toBe('');
          expect(profile.welcome[language].quickReplies.map((q) => q.value)).toEqual(values);
        }
      }
      expect(
        registry()
          .get('contacts')
          .welcome.ro.quickReplies.map((q) => q.label),
      ).toEqual(['Caută contact', 'Creează contact nou', 'Actualizează contact']);
    });

    it('precedence: the profile’s text for the language, then HANDOFF_MESSAGE / CAP_MESSAGE, then the catalogue', () => {
      const path = profilesFile({ support: { texts: { ro: { handoff: 'Un coleg preia acum.' } } } });
      const plain = registry({ PROFILES_FILE: path });
      expect(textsFor(plain.get('support'), 'ro').handoff).toBe('Un coleg preia acum.');
      expect(textsFor(plain.get('support'), 'nl').handoff).toBe(FIXED_TEXTS.nl.handoff);
      expect(textsFor(plain.get('contacts'), 'ro').handoff).toBe(FIXED_TEXTS.ro.handoff);
      expect(textsFor(plain.get('support'), 'ro').fallback).toBe(FIXED_TEXTS.ro.fallback);

      const operator = registry({ PROFILES_FILE: path, HANDOFF_MESSAGE: 'A person takes over.', CAP_MESSAGE: 'Cap.' });
      expect(textsFor(operator.get('support'), 'ro').handoff).toBe('Un coleg preia acum.');
      for (const language of LANGUAGES) {
        expect(textsFor(operator.get('support'), language).capReached).toBe('Cap.');
        expect(textsFor(operator.get('contacts'), language).handoff).toBe('A person takes over.');
      }
      expect(textsFor(operator.get('support'), 'en').handoff).toBe('A person takes over.');
      // Unset: every language keeps its own.
      expect(textsFor(registry().get('support'), 'nl').capReached).toBe(FIXED_TEXTS.nl.capReached);
    });

    it('a plain welcome is every language’s; a per-language welcome replaces only the languages it names', () => {
      const button = { label: 'Ofertă', value: 'offer', confirmation: 'Ce ofertă cauți?' };
      const perLanguage = registry({
        PROFILES_FILE: profilesFile({ support: { welcome: { ro: { text: 'Bun venit!', quickReplies: [button] } } } }),
      }).get('support');
      expect(perLanguage.welcome.ro).toEqual({ text: 'Bun venit!', quickReplies: [{ ...button, valueType: 'TEXT' }] });
      expect(perLanguage.welcome.en.text).toBe(registry().get('support').welcome.en.text);
      expect(perLanguage.welcome.nl.text).toBe(registry().get('support').welcome.nl.text);
      // A tap of that button is recognised whatever the thread's language.
      expect(tappedQuickReply(perLanguage, 'ofertă!', 'en')?.confirmation).toBe('Ce ofertă cauți?');
    });

    it('a tap of a button in any language is confirmed in the thread’s language', () => {
      const contacts = registry().get('contacts');
      expect(tappedQuickReply(contacts, 'Caută contact', 'en')?.label).toBe('Search contact');
      expect(tappedQuickReply(contacts, 'cauta contact', 'nl')?.confirmation).toBe(
        contacts.welcome.nl.quickReplies[0].confirmation,
      );
      expect(tappedQuickReply(contacts, 'Create new contact', 'ro')?.label).toBe('Creează contact nou');
      expect(tappedQuickReply(contacts, 'update_contact')?.value).toBe('update_contact');
      expect(tappedQuickReply(contacts, 'search for a contact please', 'en')).toBeUndefined();
    });

    it('rejects an unknown text key or language in PROFILES_FILE', () => {
      expect(() => registry({ PROFILES_FILE: profilesFile({ support: { texts: { ro: { hello: 'x' } } } }) })).toThrow(
        /PROFILES_FILE/,
      );
      expect(() => registry({ PROFILES_FILE: profilesFile({ support: { texts: { fr: { handoff: 'x' } } } }) })).toThrow(
        /PROFILES_FILE/,
      );
      expect(() =>
        registry({ PROFILES_FILE: profilesFile({ support: { welcome: { de: { text: 'x', quickReplies: [] } } } }) }),
      ).toThrow(/PROFILES_FILE/);
    });
  });
});
