import { agentTakeover, checkRole } from './hubspot-role-check';

const visitor = {
  type: 'MESSAGE',
  direction: 'INCOMING',
  senders: [{ actorId: 'V-123' }],
  client: { clientType: 'HUBSPOT' },
};

describe('checkRole', () => {
  it('answers an incoming visitor message', () => {
    expect(checkRole(visitor)).toEqual({ answer: true });
  });

  it.each([
    ['a comment', { type: 'COMMENT' }],
    ['a welcome message', { type: 'WELCOME_MESSAGE' }],
    ['an outgoing message (ours or an agent)', { direction: 'OUTGOING' }],
    ['an agent sender', { senders: [{ actorId: 'A-1' }] }],
    ['an integration sender (our reply rewritten by HubSpot)', { senders: [{ actorId: 'I-1098266' }] }],
    ['a bot sender', { senders: [{ actorId: 'B-1' }] }],
    ['no sender', { senders: [] }],
    ['an integration client', { client: { clientType: 'INTEGRATION' } }],
    ['no direction', { direction: undefined }],
  ])('skips %s', (_name, patch) => {
    expect(checkRole({ ...visitor, ...patch })).toMatchObject({ answer: false });
  });
});

describe('agentTakeover', () => {
  const agent = { type: 'MESSAGE', direction: 'OUTGOING', senders: [{ actorId: 'A-42' }] };

  it('names a human agent who wrote in the thread', () => {
    expect(agentTakeover(agent, 'A-777')).toBe('A-42');
  });

  it.each([
    ['the bot itself', { senders: [{ actorId: 'A-777' }] }],
    ['a visitor', { senders: [{ actorId: 'V-1' }], direction: 'INCOMING' }],
    ['an integration (our reply rewritten by HubSpot)', { senders: [{ actorId: 'I-1098266' }] }],
    ['an internal comment by an agent', { type: 'COMMENT' }],
    ['an assignment event', { type: 'ASSIGNMENT' }],
  ])('ignores %s', (_name, patch) => {
    expect(agentTakeover({ ...agent, ...patch }, 'A-777')).toBeUndefined();
  });
});
