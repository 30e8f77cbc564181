import { checkRole } from './hubspot-role-check';

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
