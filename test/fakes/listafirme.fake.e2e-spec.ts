import { FakeListaFirme } from './listafirme.fake';

describe('FakeListaFirme over plain fetch', () => {
  const fake = new FakeListaFirme({ credits: 100 });

  const post = async (endpoint: 'search-v1' | 'info-v1', form: Record<string, string>) => {
    const res = await fetch(`${fake.url}/api/${endpoint}.asp`, { method: 'POST', body: new URLSearchParams(form) });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  const postJson = async (endpoint: 'search-v1' | 'info-v1', form: Record<string, string>) => {
    const r = await post(endpoint, form);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    return JSON.parse(r.text) as Record<string, unknown>;
  };
  const info = (data: Record<string, string>, key = fake.key) =>
    postJson('info-v1', { key, data: JSON.stringify(data) });

  beforeAll(async () => {
    await fake.start();
    fake
      .seedCompany({
        TaxCode: '14837428',
        Name: 'BORG DESIGN SRL',
        RegNo: 'J40/7633/2002',
        Status: 'functiune',
        LegalForm: 'SRL',
        County: 'BUCURESTI',
        City: 'Sector 3',
        Address: 'Str. Exemplu 1',
        NACE: '6201',
        NACEDescription: 'Activitati de realizare a soft-ului la comanda',
        Balance: [
          { Year: 2022, Turnover: 1000, NetProfit: 100, Employees: 5 },
          { Year: 2023, Turnover: 2000, NetProfit: 150, Employees: 6 },
        ],
      })
      .seedCompany({ TaxCode: 'RO 18547290', Name: 'Construcții Ţară Nouă SA', County: 'CLUJ', RegNo: 'J12/100/2006' });
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('search-v1 finds by name substring (case- and diacritic-insensitive), CUI with RO prefix, and registration number', async () => {
    const byName = await postJson('search-v1', { key: fake.key, src: 'borg' });
    expect(byName).toEqual({
      Results: [
        {
          Name: 'BORG DESIGN SRL',
          FiscalCode: '14837428',
          County: 'BUCURESTI',
          URL: 'https://www.listafirme.ro/borg-design-srl-14837428/',
        },
      ],
    });
    expect(await postJson('search-v1', { key: fake.key, src: 'tara noua' })).toMatchObject({
      Results: [{ FiscalCode: '18547290', URL: 'https://www.listafirme.ro/constructii-tara-noua-sa-18547290/' }],
    });
    expect(await postJson('search-v1', { key: fake.key, src: 'RO18547290' })).toMatchObject({
      Results: [{ FiscalCode: '18547290' }],
    });
    expect(await postJson('search-v1', { key: fake.key, src: 'j40/7633/2002' })).toMatchObject({
      Results: [{ FiscalCode: '14837428' }],
    });
    expect(await postJson('search-v1', { key: fake.key, src: 'nothing like it' })).toEqual({ Results: [] });

    // GET with query parameters works too.
    const get = await fetch(
      `${fake.url}/api/search-v1.asp?${new URLSearchParams({ key: fake.key, src: 'BORG' }).toString()}`,
    );
    expect(((await get.json()) as { Results: unknown[] }).Results).toHaveLength(1);
    expect(fake.searches).toEqual(['borg', 'tara noua', 'RO18547290', 'j40/7633/2002', 'nothing like it', 'BORG']);
    expect(fake.creditsSpent).toBe(0);
  });

  it('info-v1 fills the requested keys with strings and charges per field', async () => {
    const body = await info({ TaxCode: '14837428', Name: '', Status: '', Address: '', NACE: 'info', Turnover: '' });
    expect(body).toEqual({
      TaxCode: '14837428',
      Name: 'BORG DESIGN SRL',
      Status: 'functiune',
      Address: 'Str. Exemplu 1',
      NACE: '6201 - Activitati de realizare a soft-ului la comanda',
      Turnover: '',
      // 0 + 0.05 + 0.05 + 0.49 + 0.11 + 0.1 (undocumented price)
      cost: '0.80',
      views: '99.20',
    });
    expect(fake.creditsSpent).toBe(0.8);
    expect(fake.costOf(['TaxCode', 'Name', 'Status', 'Address', 'NACE', 'Turnover'])).toBe(0.8);

    const balance = await info({ TaxCode: '14837428', Balance: 'latest' });
    expect(balance).toEqual({
      TaxCode: '14837428',
      Balance: [{ Year: '2023', Turnover: '2000', NetProfit: '150', Employees: '6' }],
      cost: '0.10',
      views: '99.10',
    });
    expect(fake.creditsSpent).toBeCloseTo(0.9, 10);
    expect(fake.fieldsRequested).toEqual([
      ['TaxCode', 'Name', 'Status', 'Address', 'NACE', 'Turnover'],
      ['TaxCode', 'Balance'],
    ]);
    const [first] = fake.received('POST', '/api/info-v1.asp');
    expect(first.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it('not found, bad key and busy answers are HTTP 200 JSON with error / errorCode, and cost nothing', async () => {
    expect(await info({ TaxCode: '99999999', Name: '' })).toEqual({
      errorCode: 'TAX_CODE_NOT_FOUND',
      error: 'Tax code not found',
    });
    expect(await info({ TaxCode: '14837428', Name: '' }, 'wrong-key')).toEqual({ error: 'Invalid key' });
    expect(await postJson('search-v1', { key: 'wrong-key', src: 'borg' })).toEqual({ error: 'Invalid key' });

    fake.busyNext(2);
    expect(await info({ TaxCode: '14837428', Name: '' })).toMatchObject({ errorCode: 'API_BUSY_RETRY' });
    expect(await postJson('search-v1', { key: fake.key, src: 'borg' })).toMatchObject({ errorCode: 'API_BUSY_RETRY' });
    expect(await info({ TaxCode: '14837428', Name: '' })).toEqual({
      TaxCode: '14837428',
      Name: 'BORG DESIGN SRL',
      cost: '0.05',
      views: expect.any(String),
    });
    expect(fake.fieldsRequested).toHaveLength(2); // the not-found and the final call; busy answers never reach the data
  });

  it('a test can force a non-JSON text/html answer', async () => {
    fake.htmlNext();
    const r = await post('info-v1', { key: fake.key, data: JSON.stringify({ TaxCode: '14837428', Name: '' }) });
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/html/);
    expect(() => JSON.parse(r.text) as unknown).toThrow();

    fake.inject({ match: (q) => q.path.endsWith('search-v1.asp'), respond: { status: 502, text: 'Bad Gateway' } });
    expect((await post('search-v1', { key: fake.key, src: 'borg' })).status).toBe(502);
  });

  it('multipart FormData bodies are read too', async () => {
    const form = new FormData();
    form.set('key', fake.key);
    form.set('data', JSON.stringify({ TaxCode: '18547290', County: '' }));
    const res = await fetch(`${fake.url}/api/info-v1.asp`, { method: 'POST', body: form });
    expect(await res.json()).toMatchObject({ TaxCode: '18547290', County: 'CLUJ', cost: '0.05' });
  });
});
