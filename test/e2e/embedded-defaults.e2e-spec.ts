import { RedisKeys } from '../../libs/redis/src/redis-keys';
import { messageJobId } from '@app/contracts';
import { Redis } from 'ioredis';
import { SystemHarness } from '../support/system-harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('without Airtable and ListaFirme (embedded defaults)', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({ airtable: false, listaFirme: false, workerEnv: { REPLY_MAX_CHARS: '200' } });
    h.anaf.seed({
      cui: 14837428,
      denumire: 'BORG DESIGN SRL',
      stare_inregistrare: 'INREGISTRAT',
      nrRegCom: 'J40/8118/2002',
    });
  });
  afterAll(() => h.stop());

  async function answer(threadId: string, text: string) {
    const message = h.hubspot.addVisitorMessage(threadId, text);
    await h.deliver(h.hubspot.webhookEventFor(message));
    return h.waitForJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: message.id }));
  }

  it('keeps the mapping in Redis and looks companies up at ANAF by CUI', async () => {
    h.openai.setModel((ctx) =>
      ctx.input.some((i) => i.type === 'function_call_output')
        ? { text: 'Found it.' }
        : { toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: null } }] },
    );
    const thread = h.hubspot.addThread();
    await answer(thread.id, 'Who is 14837428?');

    const redis = new Redis(h.redis.url);
    const stored = await redis.hget(RedisKeys.mappingStore(String(h.hubspot.portalId)), thread.id);
    await redis.quit();
    expect(stored).toBe(h.openai.conversations().find((c) => c.metadata.hubspot_thread_id === thread.id)?.id);
    expect(h.airtable.requests).toHaveLength(0);
    expect(h.anaf.lookups.map((l) => l.cui)).toEqual([14837428]);
    const output = h.openai
      .responses()
      .flatMap((r) => (Array.isArray(r.body.input) ? r.body.input : []))
      .find((i: { type?: string }) => i.type === 'function_call_output') as { output: string };
    expect(JSON.parse(output.output)).toMatchObject({
      found: true,
      source: 'anaf',
      fields: { Name: 'BORG DESIGN SRL' },
    });
  });

  it('rejects a CUI with a bad checksum without calling any register', async () => {
    const lookups = h.anaf.lookups.length;
    let output = '';
    h.openai.setModel((ctx) => {
      const o = ctx.input.find((i) => i.type === 'function_call_output');
      if (o) {
        output = String(o.output);
        return { text: 'That CUI looks wrong.' };
      }
      return { toolCalls: [{ name: 'get_company', arguments: { cui: '14837427', fields: null } }] };
    });
    await answer(h.hubspot.addThread().id, 'Who is 14837427?');
    expect(output).toContain('not a valid Romanian CUI');
    expect(h.anaf.lookups.length).toBe(lookups);
  });

  it('splits a long answer into several messages at paragraph boundaries', async () => {
    const paragraphs = ['A'.repeat(150), 'B'.repeat(150), 'C'.repeat(50)];
    h.openai.setModel(() => ({ text: paragraphs.join('\n\n') }));
    const thread = h.hubspot.addThread();
    const job = await answer(thread.id, 'Tell me everything');
    expect(h.hubspot.sentMessages(thread.id).map((s) => s.message.text)).toEqual([
      paragraphs[0],
      paragraphs[1],
      paragraphs[2],
    ]);
    expect((job.returnvalue as { replyMessageIds: string[] }).replyMessageIds).toHaveLength(3);
  });

  it('finishes an in-flight turn when the worker shuts down', async () => {
    h.openai.setModel(async () => {
      await sleep(700);
      return { text: 'Answered while draining' };
    });
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'slow one');
    await h.deliver(h.hubspot.webhookEventFor(message));
    const deadline = Date.now() + 5000;
    const started = () => h.openai.received('POST', '/v1/responses').some((r) => r.rawBody.includes('slow one'));
    while (!started() && Date.now() < deadline) await sleep(20);
    expect(started()).toBe(true);
    await sleep(50); // the model is now working on it
    await h.stopWorker();
    expect(h.hubspot.sentMessages(thread.id).map((s) => s.message.text)).toEqual(['Answered while draining']);
    const job = await h.queue.getJob(messageJobId({ portalId: String(h.hubspot.portalId), messageId: message.id }));
    expect(await job?.getState()).toBe('completed');
    await h.startWorker();
  });
});
