import { historyWindow } from './history-window';
import type { ChatMessage, TranscriptEntry } from './transcript.store';

let n = 0;
const entry = (message: ChatMessage, tokens = 10): TranscriptEntry => ({ id: `e${++n}`, turn: 'm', message, tokens });
const user = (content: string, tokens?: number) => entry({ role: 'user', content }, tokens);
const answer = (content: string, tokens?: number) => entry({ role: 'assistant', content }, tokens);
const call = (...ids: string[]) =>
  entry({
    role: 'assistant',
    content: null,
    tool_calls: ids.map((id) => ({ id, type: 'function', function: { name: 'search_contacts', arguments: '{}' } })),
  });
const reply = (id: string) => entry({ role: 'tool', tool_call_id: id, content: '{}' });

const roles = (messages: ChatMessage[]) =>
  messages.map((m) => (m.role === 'tool' ? `tool:${m.tool_call_id}` : m.role === 'user' ? `user:${m.content}` : 'a'));

describe('historyWindow', () => {
  it('keeps the newest messages within the message bound (the seed: last 5 messages)', () => {
    const log = [user('1'), answer('1'), user('2'), answer('2'), user('3'), answer('3')];
    expect(roles(historyWindow(log, { messages: 5, tokens: 800 }))).toEqual(['a', 'user:2', 'a', 'user:3', 'a']);
  });

  it('keeps the newest messages within the token bound', () => {
    const log = [user('old', 500), answer('old', 200), user('new', 300), answer('new', 400)];
    expect(roles(historyWindow(log, { messages: 5, tokens: 800 }))).toEqual(['user:new', 'a']);
  });

  it('never separates an assistant tool_calls message from its tool replies', () => {
    const log = [user('1'), call('c1', 'c2'), reply('c1'), reply('c2'), answer('1'), user('2'), answer('2')];
    // 3 messages fit; the next group (call + 2 replies) would make 6: it goes whole, not in part.
    expect(roles(historyWindow(log, { messages: 5, tokens: 10_000 }))).toEqual(['a', 'user:2', 'a']);
    expect(roles(historyWindow(log, { messages: 6, tokens: 10_000 }))).toEqual([
      'a',
      'tool:c1',
      'tool:c2',
      'a',
      'user:2',
      'a',
    ]);
  });

  it('leaves out replies orphaned by trimming and calls that never got every reply', () => {
    const log = [reply('gone'), user('1'), call('c1', 'c2'), reply('c1'), user('2'), answer('2')];
    expect(roles(historyWindow(log, { messages: 50, tokens: 10_000 }))).toEqual(['user:1', 'user:2', 'a']);
  });
});
