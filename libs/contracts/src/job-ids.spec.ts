import { messageJobId, threadChangedJobId, threadOpenedJobId } from './job-ids';

// BullMQ refuses custom ids that are integers or contain ':' (outside its own 3-part form).
const bullmqSafe = (id: string) => !/^\d+$/.test(id) && !id.includes(':');

describe('job ids', () => {
  it('are deterministic and BullMQ-safe', () => {
    const ids = [
      messageJobId({ portalId: '1', messageId: 'abc' }),
      threadOpenedJobId({ portalId: '1', threadId: '2' }),
      threadChangedJobId({ portalId: '1', threadId: '2', propertyName: 'status', propertyValue: 'a:b', occurredAt: 3 }),
    ];
    expect(ids[0]).toBe('msg-1-abc');
    expect(ids[1]).toBe('open-1-2');
    expect(ids[2]).toMatch(/^chg-1-2-status-3-[0-9a-f]{12}$/);
    expect(ids.every(bullmqSafe)).toBe(true);
  });

  it('separate portals', () => {
    expect(messageJobId({ portalId: '1', messageId: 'm' })).not.toBe(messageJobId({ portalId: '2', messageId: 'm' }));
  });
});
