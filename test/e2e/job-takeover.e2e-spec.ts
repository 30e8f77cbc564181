import { Redis } from 'ioredis';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import { SystemHarness } from '../support/system-harness';
import { conversationsOf, jobIdFor, repliesIn, sleep, until, userItems } from '../support/visitor-turns';

/**
 * A run whose job was taken over while it was still going (its queue lock expired during a long
 * stall: a Redis outage, a blocked event loop) must stop before its next side effect, so the
 * visitor still gets exactly one reply.
 */
describe('a job taken over while its first run is still going', () => {
  let h: SystemHarness;
  let redis: Redis;
  beforeAll(async () => {
    h = await SystemHarness.start({
      workerEnv: { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' },
      apiEnv: { JOB_BACKOFF_MS: '200' },
    });
    redis = new Redis(h.redis.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await h.stop();
  });

  it('the stale run stops at its next save instead of answering again: one reply, one user message', async () => {
    // The first run stalls on its first HubSpot read (as in a long outage) past its queue lock.
    let reads = 0;
    h.hubspot.setLatency((req) =>
      req.method === 'GET' && req.path.includes('/messages/') && reads++ === 0 ? 3000 : 0,
    );
    h.openai.setModel(() => ({ text: 'Answered once.' }));
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'Are you there?');
    await h.deliver(h.hubspot.webhookEventFor(message));
    const jobId = jobIdFor(h, message);

    await until(
      () => reads,
      (n) => n > 0,
      'the first HubSpot read',
    );
    // As if another worker had taken the job over: the lock now holds someone else's token.
    await redis.set(`bull:${HUBSPOT_EVENTS_QUEUE}:${jobId}:lock`, 'another-worker-token', 'PX', 1000);

    // The job is run again (stalled-job recovery) and answers while the first run still waits.
    const job = await h.waitForJob(jobId, 'completed', 20_000);
    expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
    await sleep(3500); // the first run's read has returned: it would have answered again by now
    expect(repliesIn(h, thread.id)).toEqual(['Answered once.']);
    // One conversation for the thread, holding the visitor's message once.
    const conversations = conversationsOf(h, thread.id);
    expect(conversations).toHaveLength(1);
    expect(userItems(conversations[0].items)).toHaveLength(1);
    expect(h.openai.received('POST', '/v1/responses')).toHaveLength(1);
  });
});
