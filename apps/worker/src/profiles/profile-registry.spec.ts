import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configProblems } from '@app/config';
import { loadWorkerConfig } from '../config/worker-config';
import { ProfileRegistry } from './profile-registry.service';

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
    expect(contacts.welcome.quickReplies.map((q) => q.label)).toEqual([
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
    expect(r.get('support').welcome.text).toBe('Salut!');
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
});
