import type { ChannelMessage } from '../../channel/chat-channel';
import { CONTACTS_PROFILE, SUPPORT_PROFILE } from '../../profiles/default-profiles';
import type { ResolvedThread } from '../../threads/thread-context.service';
import { plainForModel } from './direct-answer.step';

const message = (text: string): ChannelMessage => ({ id: 'm1', threadId: 't1', text, attachments: [], native: {} });
const thread = (over: Partial<ResolvedThread> = {}): ResolvedThread => ({
  profile: SUPPORT_PROFILE,
  state: {},
  identity: 'anonymous',
  isStaff: false,
  ...over,
});

// Which lines may join a burst (answered together by one model call): only those nothing else answers.
describe('plainForModel', () => {
  it('takes ordinary lines, and a CUI or a number while no code is pending', () => {
    expect(plainForModel(message('I need'), thread(), false)).toBe(true);
    expect(plainForModel(message('the company with CUI 14837428'), thread(), false)).toBe(true);
    expect(plainForModel(message('CUI 123456'), thread(), false)).toBe(true);
  });

  it('refuses a request for a person, a code while one is pending, an empty line', () => {
    expect(plainForModel(message('I want to talk to a person'), thread(), false)).toBe(false);
    expect(plainForModel(message('my code is 123 456'), thread(), true)).toBe(false);
    expect(plainForModel(message('  '), thread(), false)).toBe(false);
  });

  it('refuses a quick-reply tap (label or value, any case) and anything behind the staff gate', () => {
    const staff = thread({ profile: CONTACTS_PROFILE, isStaff: true });
    expect(plainForModel(message('search CONTACT!'), staff, false)).toBe(false);
    expect(plainForModel(message('search_contact'), staff, false)).toBe(false);
    expect(plainForModel(message('find Ion Popescu'), staff, false)).toBe(true);
    expect(plainForModel(message('find Ion Popescu'), thread({ profile: CONTACTS_PROFILE }), false)).toBe(false);
  });
});
