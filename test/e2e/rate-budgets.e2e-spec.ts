import { messageJobId } from '@app/contracts';
import { SystemHarness } from '../support/system-harness';

// The fakes enforce the providers' real limits and count violations; a burst must be absorbed by
// the shared budgets (waiting), never by 429s.
describe('shared rate budgets under a burst', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({ workerEnv: { HUBSPOT_REQUESTS_PER_10S: '16' } });
    h.openai.setModel(() => ({ text: 'ok' }));
  });
  afterAll(() => h.stop());

  async function burst(threads: number) {
    const messages = Array.from({ length: threads }, () => h.hubspot.addVisitorMessage(h.hubspot.addThread().id, 'hi'));
    await h.deliver(...messages.map((m) => h.hubspot.webhookEventFor(m)));
    const jobs = [];
    for (const m of messages) {
      jobs.push(
        await h.waitForJob(
          messageJobId({ portalId: String(h.hubspot.portalId), messageId: m.id }),
          'completed',
          40_000,
        ),
      );
    }
    return { messages, jobs };
  }

  it('new threads beyond Airtable 5/s and HubSpot 16 per 10 s: all answered, zero violations, no failed attempt', async () => {
    h.hubspot.setRateLimit({ perTenSeconds: 16 });
    const started = Date.now();
    const { messages, jobs } = await burst(6); // 6 × (read, thread, contact, reply) = 24 HubSpot calls; 12 Airtable calls
    for (const m of messages) expect(h.hubspot.sentMessages(m.conversationsThreadId)).toHaveLength(1);
    expect(h.hubspot.rateLimitViolations).toBe(0);
    expect(h.airtable.rateLimitViolations).toBe(0);
    // Waiting for budget is not a failure: no job spent a retry on it.
    expect(jobs.flatMap((j) => j.stacktrace ?? [])).toEqual([]);
    // 24 calls at 16 per 10 s cannot finish inside one window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
  }, 60_000);
});

describe('shared OpenAI concurrency budget', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({ workerEnv: { OPENAI_MAX_CONCURRENT: '2' } });
  });
  afterAll(() => h.stop());

  it('never has more model calls in flight than OPENAI_MAX_CONCURRENT, and answers everyone', async () => {
    let inFlight = 0;
    let peak = 0;
    h.openai.setModel(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 300));
      inFlight -= 1;
      return { text: 'ok' };
    });
    const messages = Array.from({ length: 6 }, () => h.hubspot.addVisitorMessage(h.hubspot.addThread().id, 'hi'));
    await h.deliver(...messages.map((m) => h.hubspot.webhookEventFor(m)));
    for (const m of messages) {
      const job = await h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: m.id }));
      expect(job.stacktrace ?? []).toEqual([]);
      expect(h.hubspot.sentMessages(m.conversationsThreadId)).toHaveLength(1);
    }
    expect(peak).toBe(2);
  });
});
