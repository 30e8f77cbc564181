import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { WorkerConfig } from '../../apps/worker/src/config/worker-config';
import { FIXED_TEXTS, fillText } from '../../apps/worker/src/profiles/fixed-texts';
import { RedisKeys } from '../../libs/redis/src/redis-keys';
import { itemText, type ModelContext } from '../fakes/openai.fake';
import { ENGINES } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { jobIdFor, repliesIn, userItems, visitorSays } from '../support/visitor-turns';

const HANDOFF_MESSAGE = "Thanks! I've passed this conversation to a colleague, who will reply here shortly.";
const ASSIGNEE = 'A-2620022';
const echo = (ctx: ModelContext) => ({ text: `re: ${itemText(userItems(ctx.input).at(-1))}` });

// Issue 14, "a handoff that reaches a person" (continued from handoff-to-person.e2e-spec.ts).
// Business hours at a frozen clock (the worker's handoff clock; no fake timers), and the profile
// option that hands picture-only messages to a person.
describe.each(ENGINES)('business hours and picture-only handoffs (%s engine)', (engine) => {
  const SATURDAY_EVENING = Date.parse('2026-12-05T18:00:00Z'); // 20:00 in Bucharest
  const MONDAY_MORNING = Date.parse('2026-12-07T08:00:00Z'); // 10:00 in Bucharest
  let now = SATURDAY_EVENING;
  let h: SystemHarness;
  let redis: Redis;
  let profilesDir: string;
  const freezeClock = (config: WorkerConfig) => Object.assign(config.handoff, { now: () => now });

  beforeAll(async () => {
    profilesDir = mkdtempSync(join(tmpdir(), 'profiles-'));
    const profilesFile = join(profilesDir, 'profiles.json');
    writeFileSync(profilesFile, JSON.stringify({ support: { attachmentOnly: 'handoff' } }));
    h = await SystemHarness.start({
      engine,
      inProcessWorker: false,
      workerEnv: {
        HANDOFF_ASSIGNEE_ACTOR_ID: ASSIGNEE,
        HANDOFF_BUSINESS_HOURS: 'Mon-Fri 09:00-18:00',
        HANDOFF_TIMEZONE: 'Europe/Bucharest',
        HANDOFF_HOLIDAYS: '2026-12-25',
        PROFILES_FILE: profilesFile,
      },
    });
    await h.startWorker({}, freezeClock);
    redis = new Redis(h.redis.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await h.stop();
    rmSync(profilesDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    now = SATURDAY_EVENING;
    h.openai.setModel(echo);
  });

  const stateKey = (threadId: string) => RedisKeys.threadState({ portalId: String(h.hubspot.portalId), threadId });
  const notesIn = (threadId: string) => h.hubspot.sentNotes(threadId).map((n) => n.message.text);

  it('out of hours the visitor is told in their language when a person answers, and the thread is handed off', async () => {
    const thread = h.hubspot.addThread();
    await redis.hset(stateKey(thread.id), 'language', 'ro');
    await visitorSays(h, 'Vreau să vorbesc cu un om', { threadId: thread.id });
    const when = 'luni de la 09:00 (ora Europe/Bucharest)';
    expect(repliesIn(h, thread.id)).toEqual([fillText(FIXED_TEXTS.ro.handoffClosed, { when })]);
    expect(repliesIn(h, thread.id)[0]).toContain('un coleg îți va răspunde aici luni de la 09:00');
    const [note] = notesIn(thread.id);
    expect(note).toContain(`Out of hours: the visitor was told a colleague answers ${when}.`);
    expect(note).toContain("Visitor's language: ro");
    expect(h.hubspot.assigneeCalls(thread.id)).toHaveLength(1);
    expect(await redis.hget(stateKey(thread.id), 'handedOff')).toBe('the visitor asked for a person');
  });

  it('within hours the usual handoff text is posted', async () => {
    now = MONDAY_MORNING;
    const { threadId } = await visitorSays(h, 'I want to talk to a person');
    expect(repliesIn(h, threadId)).toEqual([HANDOFF_MESSAGE]);
    expect(notesIn(threadId)[0]).not.toContain('Out of hours');
  });

  it('a picture-only message hands off when the profile says so, with the picture named in the note', async () => {
    const thread = h.hubspot.addThread();
    const picture = { type: 'FILE', fileUsageType: 'IMAGE', name: 'factura.jpg', fileId: '9001' };
    const message = h.hubspot.addVisitorMessage(thread.id, '', { attachments: [picture] });
    await h.deliver(h.hubspot.webhookEventFor(message));
    await h.waitForJob(jobIdFor(h, message));
    expect(repliesIn(h, thread.id)).toEqual([
      fillText(FIXED_TEXTS.en.handoffClosed, { when: 'on Monday from 09:00 (Europe/Bucharest time)' }),
    ]);
    const [note] = notesIn(thread.id);
    expect(note).toContain('Handed over: the visitor sent only a picture or file.');
    expect(note).toContain('Visitor wrote: (no text) [an image: factura.jpg]');
    expect(h.openai.modelCalls().filter((c) => JSON.stringify(c).includes('factura.jpg'))).toEqual([]);
  });

  it('with HANDOFF_OUTSIDE_HOURS=stay the bot stays on, offers to take a message, and the model keeps the chat', async () => {
    await h.stopWorker();
    await h.startWorker({ HANDOFF_OUTSIDE_HOURS: 'stay' }, freezeClock);
    try {
      const { threadId } = await visitorSays(h, 'can I speak to a human?');
      const offer = fillText(FIXED_TEXTS.en.stayClosed, { when: 'on Monday from 09:00 (Europe/Bucharest time)' });
      expect(repliesIn(h, threadId)).toEqual([offer]);
      expect(await redis.hget(stateKey(threadId), 'handedOff')).toBeNull();
      expect(notesIn(threadId)[0]).toContain('Out of hours: the visitor asked for a person; the assistant stayed on');
      expect(h.hubspot.assigneeCalls(threadId)).toEqual([]);

      // The model asks for a person too: refused (nobody is there), it answers itself.
      h.openai.setModel((ctx) => {
        const refused = ctx.history.find((i) => i.type === 'function_call_output');
        if (!refused) return { toolCalls: [{ name: 'hand_off_to_human', arguments: { reason: 'visitor insists' } }] };
        return {
          text: `Noted. ${String(refused.output).includes('No colleague is available now') ? 'Back Monday.' : '?'}`,
        };
      });
      await visitorSays(h, 'My order 123 is late, please have someone call me', { threadId });
      expect(repliesIn(h, threadId)).toEqual([offer, 'Noted. Back Monday.']);
      expect(await redis.hget(stateKey(threadId), 'handedOff')).toBeNull();
    } finally {
      await h.stopWorker();
      await h.startWorker({}, freezeClock);
    }
  });
});
