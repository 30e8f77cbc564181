import type { ModelContext, ModelTurn } from '../fakes/openai.fake';
import { AIRTABLE_BASE, SystemHarness } from '../support/system-harness';
import { conversationsOf, expectAnsweredOnce, jobIdFor, repliesIn, sleep, visitorSays } from '../support/visitor-turns';

const LOOKUP_TIMEOUT_MS = 1000;
/** What the real Airtable answers, to every request of the base, during its 30-second penalty. */
const AIRTABLE_429 = {
  status: 429,
  body: { errors: [{ error: 'RATE_LIMIT_REACHED', message: 'Rate limit exceeded. Please try again later' }] },
};

/** A model that makes `calls` first, then answers with the tool outputs it got, verbatim. */
function toolsThenReport(calls: { name: string; arguments: object }[]) {
  const outputs: Record<string, unknown>[] = [];
  const model = (ctx: ModelContext): ModelTurn => {
    const given = ctx.input.filter((i) => i.type === 'function_call_output');
    if (given.length === 0) return { toolCalls: calls };
    outputs.push(...given.map((o) => JSON.parse(String(o.output)) as Record<string, unknown>));
    return { text: `Lookup results: ${given.map((o) => String(o.output)).join(' | ')}` };
  };
  return { model, outputs };
}

// Fault matrix row 6: the mapping store (Airtable) and the company register (ListaFirme) misbehave.
describe('fault matrix: Airtable penalty and ListaFirme faults', () => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({ workerEnv: { COMPANY_LOOKUP_TIMEOUT_MS: String(LOOKUP_TIMEOUT_MS) } });
    h.anaf.seed({ cui: 14837428, denumire: 'BORG DESIGN SRL', stare_inregistrare: 'INREGISTRAT' });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.airtable.resetRateLimits();
    h.airtable.clearFaults();
    h.listaFirme.clearFaults();
    h.openai.clearFaults();
  });

  const mappingRows = (threadId: string) =>
    h.airtable.records(AIRTABLE_BASE, 'Conversations').filter((r) => r.fields['Hubspot Thread ID'] === threadId);

  it('Airtable 429 penalty: a known thread is answered from the cache, a new thread waits it out once, then is answered', async () => {
    h.openai.setModel(() => ({ text: 'ok' }));
    const known = await visitorSays(h, 'hello');
    expect(mappingRows(known.threadId)).toHaveLength(1);

    // The penalty starts: every Airtable request is refused for 30 s.
    h.airtable.inject({ match: () => true, respond: AIRTABLE_429, times: Infinity });
    const since = h.airtable.requests.length;

    const during = await visitorSays(h, 'still there?', { threadId: known.threadId });
    await expectAnsweredOnce(h, during, { replies: ['ok', 'ok'], userMessages: 1 });
    expect(h.airtable.requests.length).toBe(since); // from the Redis cache, not a single Airtable call

    // A new thread needs Airtable: refused once, then it waits (delayed job, no storm).
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'new here');
    await h.deliver(h.hubspot.webhookEventFor(message));
    const deadline = Date.now() + 5000;
    while (h.airtable.requests.length === since && Date.now() < deadline) await sleep(10);
    const refusedAt = h.airtable.requests[since].at;
    // The penalty ends 30 s after the violation; until then nothing may knock again.
    await sleep(refusedAt + 29_000 - Date.now());
    expect(h.airtable.requests.length - since).toBe(1);
    expect(repliesIn(h, thread.id)).toEqual([]);
    h.airtable.clearFaults();

    const job = await h.waitForJob(jobIdFor(h, message), 'completed', 15_000);
    await expectAnsweredOnce(
      h,
      { threadId: thread.id, message, jobId: job.id!, job },
      { replies: ['ok'], userMessages: 1 },
    );
    expect(h.airtable.requests[since + 1].at - refusedAt).toBeGreaterThanOrEqual(30_000);
    expect(mappingRows(thread.id)).toEqual([
      expect.objectContaining({
        fields: { 'Hubspot Thread ID': thread.id, 'OpenAI Thread ID': conversationsOf(h, thread.id)[0].id },
      }),
    ]);
  }, 60_000);

  it('ListaFirme API_BUSY_RETRY on a name search: the model reads the error, one call, answered once without a job retry', async () => {
    const { model, outputs } = toolsThenReport([{ name: 'search_companies', arguments: { query: 'Borg Design' } }]);
    h.openai.setModel(model);
    h.listaFirme.busyNext(1);
    const before = h.listaFirme.requests.length;
    const turn = await visitorSays(h, 'Is Borg Design active?');
    expect(outputs).toEqual([{ error: expect.stringContaining('API_BUSY_RETRY') }]);
    const board = await expectAnsweredOnce(h, turn, {
      replies: [`Lookup results: ${JSON.stringify(outputs[0])}`],
      userMessages: 1,
    });
    expect(board.job.stacktrace).toEqual([]);
    expect(h.listaFirme.requests.length - before).toBe(1);
  });

  it('ListaFirme hangs: each lookup is cut at COMPANY_LOOKUP_TIMEOUT_MS, get_company falls back to ANAF, answered in bounded time', async () => {
    const { model, outputs } = toolsThenReport([
      { name: 'search_companies', arguments: { query: 'Borg Design' } },
      { name: 'get_company', arguments: { cui: '14837428', fields: ['Name'] } },
    ]);
    h.openai.setModel(model);
    h.listaFirme.inject({ match: (r) => r.path.startsWith('/api/'), respond: 'hang', times: 2 });
    const since = h.openai.requests.length;
    const turn = await visitorSays(h, 'Tell me about Borg Design, CUI 14837428');

    // Both lookups ran in parallel and were cut at the timeout: between the model asking for them
    // and getting their outputs lies one timeout's worth, not two, not forever.
    const [asked, answered] = h.openai.requests
      .slice(since)
      .filter((r) => r.method === 'POST' && r.path === '/v1/responses')
      .map((r) => r.at);
    expect(answered - asked).toBeGreaterThanOrEqual(LOOKUP_TIMEOUT_MS);
    expect(answered - asked).toBeLessThan(2 * LOOKUP_TIMEOUT_MS);
    expect(outputs).toEqual([
      { error: expect.stringMatching(/listafirme: search-v1\.asp: .*(timeout|aborted)/i) },
      { found: true, cui: '14837428', source: 'anaf', fields: { Name: 'BORG DESIGN SRL' } },
    ]);
    const board = await expectAnsweredOnce(h, turn, {
      replies: [expect.stringContaining('BORG DESIGN SRL')],
      userMessages: 1,
    });
    expect(board.job.stacktrace).toEqual([]);
  });
});
