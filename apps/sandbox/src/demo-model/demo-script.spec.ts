import { argumentsFor, decide, type ChatMessage, type ToolSpec } from './demo-script';

const tool = (name: string, ...props: string[]): ToolSpec => ({
  name,
  parameters: { properties: Object.fromEntries(props.map((p) => [p, {}])), required: props },
});
const SUPPORT = [
  tool('search_companies', 'query'),
  tool('get_company', 'cui', 'fields'),
  tool('create_contact', 'email', 'firstname', 'lastname', 'phone', 'company', 'jobtitle'),
  tool('qualify_lead', 'intent', 'company_cui', 'role', 'budget', 'timeline', 'summary'),
  tool('hand_off_to_human', 'reason'),
];
const STAFF = [tool('search_contacts', 'email', 'name', 'phone', 'company', 'limit'), SUPPORT[2]];
const user = (content: string): ChatMessage => ({ role: 'user', content });
const said = (content: string): ChatMessage => ({ role: 'assistant', content });
const called = (id: string, name: string): ChatMessage => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id, type: 'function', function: { name, arguments: '{}' } }],
});
const result = (id: string, output: unknown): ChatMessage => ({
  role: 'tool',
  tool_call_id: id,
  content: JSON.stringify(output),
});

describe('demo model script', () => {
  it('a CUI → get_company with every strict-schema argument present', () => {
    expect(decide([user('info about RO14837428 please')], SUPPORT)).toEqual({
      calls: [{ name: 'get_company', args: { cui: 'RO14837428', fields: null } }],
    });
  });

  it('a name or a registration number → search_companies; a single hit → its details', () => {
    expect(decide([user('company Bran Turism?')], SUPPORT)).toEqual({
      calls: [{ name: 'search_companies', args: { query: 'Bran Turism' } }],
    });
    expect(decide([user('J40/1234/2002')], SUPPORT)).toMatchObject({ calls: [{ args: { query: 'J40/1234/2002' } }] });
    const hit = [user('firma Bran'), called('c1', 'search_companies'), result('c1', { results: [{ cui: '6859662' }] })];
    expect(decide(hit, SUPPORT)).toMatchObject({ calls: [{ name: 'get_company', args: { cui: '6859662' } }] });
  });

  it('answers from tool results, failures included', () => {
    const details = {
      found: true,
      cui: '6859662',
      source: 'anaf',
      fields: { Name: 'BRAN TURISM SRL', City: 'Brasov' },
    };
    expect(decide([user('x'), called('c1', 'get_company'), result('c1', details)], SUPPORT)).toEqual({
      text: '**BRAN TURISM SRL** (CUI 6859662) — City: Brasov.',
    });
    expect(decide([user('x'), called('c1', 'get_company'), result('c1', { error: 'not valid' })], SUPPORT)).toEqual({
      text: 'Sorry, that did not work: not valid',
    });
  });

  it('lead: asks for the e-mail, creates the contact, then qualifies it with the stated intent', () => {
    const ask = decide([user('I would like an offer for hosting')], SUPPORT);
    expect(ask).toEqual({ text: expect.stringContaining('e-mail') });
    const history = [user('I would like an offer for hosting'), said((ask as { text: string }).text)];
    expect(decide([...history, user('ana@client.example.com Ana Pop')], SUPPORT)).toMatchObject({
      calls: [{ name: 'create_contact', args: { email: 'ana@client.example.com', firstname: 'Ana', lastname: 'Pop' } }],
    });
    const created = [
      ...history,
      user('ana@x.example.com'),
      called('c1', 'create_contact'),
      result('c1', { saved: true }),
    ];
    expect(decide(created, SUPPORT)).toMatchObject({
      calls: [{ name: 'qualify_lead', args: { intent: 'I would like an offer for hosting', budget: null } }],
    });
  });

  it('a request for a colleague the worker did not catch → hand_off_to_human', () => {
    expect(decide([user('can a colleague call me back?')], SUPPORT)).toMatchObject({
      calls: [{ name: 'hand_off_to_human' }],
    });
  });

  it('staff: continues the flow a button started', () => {
    const searching = [said('Searching a contact. Who are you looking for?'), user('Popescu')];
    expect(decide(searching, STAFF)).toMatchObject({ calls: [{ name: 'search_contacts', args: { name: 'Popescu' } }] });
  });

  it('knowledge: asks search_knowledge when offered and cites the source', () => {
    const tools = [...SUPPORT, tool('search_knowledge', 'query')];
    expect(decide([user('What are your opening hours?')], tools)).toMatchObject({
      calls: [{ name: 'search_knowledge', args: { query: 'What are your opening hours?' } }],
    });
    const found = { results: [{ text: 'Mon-Fri 9-17.', source: 'hours.md' }] };
    expect(decide([user('hours?'), called('k', 'search_knowledge'), result('k', found)], tools)).toEqual({
      text: 'Mon-Fri 9-17.\n\nSource: hours.md',
    });
  });

  it('otherwise explains, as a script, what it understands', () => {
    expect(decide([user('hm')], SUPPORT)).toEqual({ text: expect.stringContaining('demo model (scripted)') });
  });

  it('fills every schema property, null for the unknown ones', () => {
    expect(argumentsFor(tool('t', 'a', 'b', 'properties'), { a: 1 })).toEqual({ a: 1, b: null, properties: {} });
  });
});
