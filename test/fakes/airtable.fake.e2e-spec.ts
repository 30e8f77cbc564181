import Airtable from 'airtable';
import { FakeAirtable } from './airtable.fake';

const BASE = 'appHubspotChatGPT1';
const OTHER_BASE = 'appSomethingElse01';
const TABLE = 'Conversations';
const HS = 'Hubspot Thread ID';
const OA = 'OpenAI Thread ID';

interface Conversation extends Airtable.FieldSet {
  [HS]: string;
  [OA]: string;
}

/** Formula string literal: escape `\` and the wrapping quote. */
const lit = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const PENALTY_MS = 300;

describe('FakeAirtable through the real airtable SDK 0.12', () => {
  const fake = new FakeAirtable({ penaltyMs: PENALTY_MS });
  const client = (apiKey = fake.token, requestTimeout = 2000) =>
    new Airtable({ apiKey, endpointUrl: fake.url, noRetryIfRateLimited: true, requestTimeout });
  const table = (apiKey?: string, baseId = BASE) => client(apiKey).base(baseId)<Conversation>(TABLE);
  const rejection = async (p: Promise<unknown>): Promise<Record<string, unknown>> => {
    try {
      await p;
    } catch (e) {
      return e as Record<string, unknown>;
    }
    throw new Error('expected a rejection');
  };

  beforeAll(async () => {
    await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    fake.createBase(BASE, { [TABLE]: [HS, OA] }).createBase(OTHER_BASE, ['Other']);
  });

  it('select with filterByFormula finds the record, and [] when none matches', async () => {
    fake.seed(BASE, TABLE, [
      { [HS]: '111', [OA]: 'conv_a' },
      { [HS]: '222', [OA]: 'conv_b' },
    ]);
    const found = await table()
      .select({ filterByFormula: `{${HS}} = ${lit('222')}`, maxRecords: 1 })
      .firstPage();
    expect(found.map((r) => r.get(OA))).toEqual(['conv_b']);
    expect(found[0].id).toMatch(/^rec[0-9A-Z]{14}$/);

    const none = await table()
      .select({ filterByFormula: `{${HS}} = "999"`, maxRecords: 1 })
      .firstPage();
    expect(none).toEqual([]);

    const [get] = fake.received('GET', `/v0/${BASE}/${TABLE}`);
    expect(get.query.get('filterByFormula')).toBe(`{${HS}} = '222'`);
    expect(get.query.get('maxRecords')).toBe('1');
    expect(get.headers.authorization).toBe(`Bearer ${fake.token}`);
  });

  it('create stores the record (POST …/Conversations/ with a trailing slash)', async () => {
    const [rec] = await table().create([{ fields: { [HS]: '333', [OA]: 'conv_c' } }], { typecast: true });
    expect(rec.get(OA)).toBe('conv_c');
    expect(fake.records(BASE, TABLE)).toEqual([
      expect.objectContaining({ id: rec.id, fields: { [HS]: '333', [OA]: 'conv_c' } }),
    ]);
    const [post] = fake.received('POST', `/v0/${BASE}/${TABLE}/`);
    expect(post.body).toEqual({ records: [{ fields: { [HS]: '333', [OA]: 'conv_c' } }], typecast: true });
  });

  it('upsert through table.update(records, {performUpsert}) creates, then updates the same row', async () => {
    const opts = { performUpsert: { fieldsToMergeOn: [HS] } } as { typecast?: boolean };
    const upsert = (fields: Conversation) => table().update([{ fields } as Airtable.RecordData<Conversation>], opts);

    const [first] = await upsert({ [HS]: '444', [OA]: 'conv_1' });
    const [second] = await upsert({ [HS]: '444', [OA]: 'conv_2' });
    expect(second.id).toBe(first.id);
    expect(fake.records(BASE, TABLE)).toEqual([
      expect.objectContaining({ id: first.id, fields: { [HS]: '444', [OA]: 'conv_2' } }),
    ]);

    const patches = fake.received('PATCH', `/v0/${BASE}/${TABLE}/`);
    expect(patches).toHaveLength(2);
    expect(patches[0].body).toEqual({
      records: [{ fields: { [HS]: '444', [OA]: 'conv_1' } }],
      performUpsert: { fieldsToMergeOn: [HS] },
    });
  });

  it('upsert through base.makeRequest returns createdRecords / updatedRecords', async () => {
    const base = client().base(BASE);
    const send = (oa: string) =>
      base.makeRequest({
        method: 'PATCH',
        path: `/${encodeURIComponent(TABLE)}`,
        body: { performUpsert: { fieldsToMergeOn: [HS] }, records: [{ fields: { [HS]: '555', [OA]: oa } }] },
      });
    const created = await send('conv_x');
    const updated = await send('conv_y');
    const id = created.body.records[0].id as string;
    expect(created.body).toMatchObject({ createdRecords: [id], updatedRecords: [] });
    expect(updated.body).toMatchObject({ createdRecords: [], updatedRecords: [id] });
    expect(fake.records(BASE, TABLE)).toHaveLength(1);
    expect(fake.records(BASE, TABLE)[0].fields[OA]).toBe('conv_y');
  });

  it('formula literals with quotes and backslashes match only when escaped', async () => {
    const tricky = `O'Brien "x" \\ end`;
    fake.seed(BASE, TABLE, [
      { [HS]: tricky, [OA]: 'conv_q' },
      { [HS]: 'O', [OA]: 'conv_o' },
    ]);
    const found = await table()
      .select({ filterByFormula: `{${HS}} = ${lit(tricky)}`, maxRecords: 1 })
      .firstPage();
    expect(found.map((r) => r.get(OA))).toEqual(['conv_q']);

    const dq = await table()
      .select({ filterByFormula: `{${HS}} = "O'Brien \\"x\\" \\\\ end"` })
      .firstPage();
    expect(dq.map((r) => r.get(OA))).toEqual(['conv_q']);

    const e = await rejection(
      table()
        .select({ filterByFormula: `{${HS}} = '${tricky}'` })
        .firstPage(),
    );
    expect(e).toMatchObject({ error: 'INVALID_FILTER_BY_FORMULA', statusCode: 422 });
    expect(e.message).toMatch(/formula for filtering records is invalid/);

    const unknownField = await rejection(table().select({ filterByFormula: `{Nope} = 'x'` }).firstPage());
    expect(unknownField).toMatchObject({
      error: 'INVALID_FILTER_BY_FORMULA',
      message: expect.stringMatching(/Unknown field names: Nope/),
    });
  });

  it('rate limit: the 6th request in a second is a 429 TOO_MANY_REQUESTS, the penalty refuses the rest, then it recovers', async () => {
    const t = table();
    const select = () => t.select({ maxRecords: 1 }).firstPage();
    for (let i = 0; i < 5; i++) await select();

    const e = await rejection(select());
    expect(e).toBeInstanceOf(Airtable.Error);
    expect(e).toMatchObject({ error: 'TOO_MANY_REQUESTS', statusCode: 429 });
    expect(fake.rateLimitViolations).toBe(1);

    // During the penalty every request to the base is refused, including writes; other bases are unaffected.
    await new Promise((r) => setTimeout(r, 100));
    await expect(select()).rejects.toMatchObject({ statusCode: 429 });
    await expect(t.create({ [HS]: '1', [OA]: 'x' })).rejects.toMatchObject({ error: 'TOO_MANY_REQUESTS' });
    await expect(client().base(OTHER_BASE)('Other').select().firstPage()).resolves.toEqual([]);
    expect(fake.rateLimitViolations).toBe(1);
    expect(fake.rateLimitedResponses).toBe(3);

    const last429 = fake.requests.filter((r) => r.path.startsWith(`/v0/${BASE}/`)).at(-1)!;
    await new Promise((r) => setTimeout(r, Math.max(0, last429.at + PENALTY_MS - Date.now()) + 50));
    await expect(select()).resolves.toEqual([]);
  });

  it('401 AUTHENTICATION_REQUIRED with a bad token; 403 NOT_AUTHORIZED for a token limited to another base or an unknown table', async () => {
    const bad = await rejection(table('patWRONG').select().firstPage());
    expect(bad).toMatchObject({ error: 'AUTHENTICATION_REQUIRED', statusCode: 401 });
    // The SDK replaces the server's message with its own.
    expect(bad.message).toBe('You should provide valid api key to perform this operation');

    const scoped = fake.tokenFor([OTHER_BASE]);
    await expect(table(scoped).select().firstPage()).rejects.toMatchObject({
      error: 'NOT_AUTHORIZED',
      statusCode: 403,
    });
    await expect(client(scoped).base(OTHER_BASE)('Other').select().firstPage()).resolves.toEqual([]);

    await expect(client().base(BASE)('Conversationz').select().firstPage()).rejects.toMatchObject({
      error: 'NOT_AUTHORIZED',
      statusCode: 403,
    });
    expect(fake.rateLimitViolations).toBe(0);
  });

  it('pages with pageSize/offset; find by id; 404 for an unknown record', async () => {
    const seeded = fake.seed(
      BASE,
      TABLE,
      Array.from({ length: 7 }, (_, i) => ({ [HS]: String(i), [OA]: `conv_${i}` })),
    );
    const all = await table().select({ pageSize: 3 }).all();
    expect(all.map((r) => r.id)).toEqual(seeded.map((r) => r.id));
    expect(fake.received('GET', `/v0/${BASE}/${TABLE}`).map((r) => r.query.get('offset'))).toEqual([
      null,
      expect.stringMatching(/^itr3\//),
      expect.stringMatching(/^itr6\//),
    ]);

    fake.resetRateLimits();
    expect((await table().find(seeded[2].id)).get(OA)).toBe('conv_2');
    await expect(table().find('recDOESNOTEXIST00')).rejects.toMatchObject({ error: 'NOT_FOUND', statusCode: 404 });
  });

  it('SDK error shapes for faults: 500 page → SERVER_ERROR; a hang → raw AbortError from select, CONNECTION_ERROR from makeRequest', async () => {
    fake.inject({ match: (r) => r.method === 'GET', respond: { status: 500, text: '<html>oops</html>' } });
    await expect(table().select().firstPage()).rejects.toMatchObject({ error: 'SERVER_ERROR', statusCode: 500 });

    fake.inject({ match: () => true, respond: 'hang', times: 2 });
    const slow = client(fake.token, 150).base(BASE);
    const aborted = await rejection(slow<Conversation>(TABLE).select().firstPage());
    expect(aborted).not.toBeInstanceOf(Airtable.Error);
    expect(aborted).toMatchObject({ name: 'AbortError', type: 'aborted' });

    const viaMakeRequest = await rejection(slow.makeRequest({ path: `/${TABLE}` }));
    expect(viaMakeRequest).toBeInstanceOf(Airtable.Error);
    expect(viaMakeRequest).toMatchObject({ error: 'CONNECTION_ERROR', statusCode: null });
  });
});
