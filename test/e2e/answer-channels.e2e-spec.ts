import { threadOpenedJobId } from '@app/contracts';
import { modelCallsOf } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { repliesIn, visitorSays } from '../support/visitor-turns';

// The bot answers only the channels it is configured for (ANSWER_CHANNELS, default live chat 1000):
// an e-mail (1002) or WhatsApp (1007) thread from a known contact gets no chat-style welcome and
// no answer, and nothing is written to HubSpot for it.
describe('channels the bot answers', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({ airtable: false });
    h.openai.setModel(() => ({ text: 'answer' }));
  });
  afterAll(() => h.stop());

  const portal = () => String(h.hubspot.portalId);

  it('live chat (1000) is answered', async () => {
    const turn = await visitorSays(h, 'hello');
    expect(turn.job.returnvalue).toMatchObject({ status: 'answered' });
    expect(repliesIn(h, turn.threadId)).toEqual(['answer']);
  });

  it.each([
    ['e-mail', '1002'],
    ['WhatsApp', '1007'],
    ['Facebook Messenger (opt-in)', '1001'],
  ])('%s (%s): skipped with the reason, no model call, no welcome, no HubSpot write', async (_name, channel) => {
    const thread = h.hubspot.addThread({ originalChannelId: channel });
    const turn = await visitorSays(h, 'hello, about my invoice', { threadId: thread.id });
    expect(turn.job.returnvalue).toEqual({ status: 'skipped', reason: `channel ${channel} is not answered` });
    await h.deliver(h.hubspot.creationEventFor(thread));
    const opened = await h.waitForJob(threadOpenedJobId({ portalId: portal(), threadId: thread.id }));
    expect(opened.returnvalue).toMatchObject({ status: 'skipped', reason: `channel ${channel} is not answered` });
    expect(repliesIn(h, thread.id)).toEqual([]);
    expect(modelCallsOf(h, thread.id)).toEqual([]);
  });

  it('ANSWER_CHANNELS=1000,1001 opts Facebook Messenger in', async () => {
    await h.stopWorker();
    await h.startWorker({ ANSWER_CHANNELS: '1000,1001' });
    try {
      const thread = h.hubspot.addThread({ originalChannelId: '1001' });
      const turn = await visitorSays(h, 'hello from messenger', { threadId: thread.id });
      expect(turn.job.returnvalue).toMatchObject({ status: 'answered' });
      expect(repliesIn(h, thread.id)).toEqual(['answer']);
    } finally {
      await h.stopWorker();
      await h.startWorker();
    }
  });
});
