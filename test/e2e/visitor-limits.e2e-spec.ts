import request from 'supertest';
import { IDENTITY_TEXTS } from '../../apps/worker/src/identity/identity-texts';
import { MetricsSnapshot } from '../support/prometheus-text';
import { SystemHarness } from '../support/system-harness';
import { repliesIn, visitorSays } from '../support/visitor-turns';

describe('a flood from one visitor id is limited', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({
      airtable: false,
      workerEnv: { VISITOR_MAX_TURNS_PER_HOUR: '3', VISITOR_MAX_THREADS_PER_DAY: '2' },
    });
    h.openai.setModel(() => ({ text: 'answer' }));
  });
  afterAll(() => h.stop());

  const scrape = async () =>
    new MetricsSnapshot((await request(h.worker!.getHttpServer()).get('/metrics').expect(200)).text);

  it('turns per hour: the model stops after the limit, the visitor is told once, then silence', async () => {
    const before = await scrape();
    const responses = h.openai.responses().length;
    const thread = h.hubspot.addThread({ associatedContactId: 'visitor-turns' });
    for (let i = 1; i <= 6; i++) await visitorSays(h, `question ${i}`, { threadId: thread.id });
    expect(repliesIn(h, thread.id)).toEqual(['answer', 'answer', 'answer', IDENTITY_TEXTS.en.visitorLimit]);
    expect(h.openai.responses().length - responses).toBe(3);
    expect((await scrape()).delta(before, 'chat_assistant_visitor_limited_total', { limit: 'turns' })).toBe(3);
    // Asking for a person still works for a limited visitor (it costs nothing).
    await visitorSays(h, 'I want to talk to a person', { threadId: thread.id });
    expect(repliesIn(h, thread.id)).toHaveLength(5);
  });

  it('threads per day: a third new chat from the same visitor id is not answered by the model', async () => {
    const responses = h.openai.responses().length;
    const threads = [1, 2, 3].map(() => h.hubspot.addThread({ associatedContactId: 'visitor-threads' }));
    for (const thread of threads) await visitorSays(h, 'hello', { threadId: thread.id });
    expect(threads.map((t) => repliesIn(h, t.id))).toEqual([['answer'], ['answer'], [IDENTITY_TEXTS.en.visitorLimit]]);
    expect(h.openai.responses().length - responses).toBe(2);
    // Another visitor is not affected.
    const other = h.hubspot.addThread({ associatedContactId: 'visitor-other' });
    await visitorSays(h, 'hello', { threadId: other.id });
    expect(repliesIn(h, other.id)).toEqual(['answer']);
  });
});
