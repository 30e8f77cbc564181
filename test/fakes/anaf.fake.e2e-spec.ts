import { FakeAnaf } from './anaf.fake';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions below check the shape
type AnafBody = { cod: number; message: string; found: any[]; notFound: number[] };

describe('FakeAnaf over plain fetch', () => {
  const fake = new FakeAnaf();
  const tva = async (body: unknown, url = fake.endpoint) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text, json: (): AnafBody => JSON.parse(text) };
  };

  beforeAll(async () => {
    await fake.start();
    fake.seed({
      cui: 14837428,
      denumire: 'BORG DESIGN SRL',
      adresa: 'MUNICIPIUL BUCUREŞTI, SECTOR 3, STR. EXEMPLU, NR.1',
      nrRegCom: 'J40/7633/2002',
      telefon: '0210000000',
      stare_inregistrare: 'INREGISTRAT din data 21.06.2002',
      data_inregistrare: '2002-06-21',
      cod_CAEN: '6201',
      forma_juridica: 'SOCIETATE COMERCIALĂ CU RĂSPUNDERE LIMITATĂ',
      sediu: {
        denumire_Strada: 'Str. Exemplu',
        numar_Strada: '1',
        denumire_Judet: 'MUNICIPIUL BUCUREŞTI',
        tara: 'România',
      },
    });
    fake.seed({ cui: 'RO18547290', denumire: 'INACTIVA SA', scpTVA: false, statusInactivi: true });
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('answers found and notFound for a batch', async () => {
    const r = await tva([
      { cui: 14837428, data: '2026-11-21' },
      { cui: 123, data: '2026-11-21' },
      { cui: 18547290, data: '2026-11-21' },
    ]);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    const body = r.json();
    expect(body).toMatchObject({ cod: 200, message: 'SUCCESS', notFound: [123] });
    expect(body.found).toHaveLength(2);
    expect(body.found[0]).toMatchObject({
      date_generale: {
        cui: 14837428,
        data: '2026-11-21',
        denumire: 'BORG DESIGN SRL',
        adresa: 'MUNICIPIUL BUCUREŞTI, SECTOR 3, STR. EXEMPLU, NR.1',
        nrRegCom: 'J40/7633/2002',
        telefon: '0210000000',
        stare_inregistrare: 'INREGISTRAT din data 21.06.2002',
        data_inregistrare: '2002-06-21',
        cod_CAEN: '6201',
        forma_juridica: 'SOCIETATE COMERCIALĂ CU RĂSPUNDERE LIMITATĂ',
      },
      inregistrare_scop_Tva: { scpTVA: true },
      stare_inactiv: { statusInactivi: false },
      adresa_sediu_social: { sdenumire_Strada: 'Str. Exemplu', snumar_Strada: '1', stara: 'România' },
    });
    expect(body.found[1]).toMatchObject({
      date_generale: { cui: 18547290, denumire: 'INACTIVA SA' },
      inregistrare_scop_Tva: { scpTVA: false, perioade_TVA: [] },
      stare_inactiv: { statusInactivi: true },
    });
    expect(fake.lookups.map((l) => l.cui)).toEqual([14837428, 123, 18547290]);
    expect(fake.received('POST', fake.path)[0].body).toEqual([
      { cui: 14837428, data: '2026-11-21' },
      { cui: 123, data: '2026-11-21' },
      { cui: 18547290, data: '2026-11-21' },
    ]);
  });

  it('400 for more than 100 entries or malformed entries; nothing is looked up', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ cui: 1000 + i, data: '2026-11-21' }));
    expect((await tva(many)).status).toBe(400);
    expect((await tva(many.slice(0, 100))).json()).toMatchObject({ cod: 200, notFound: expect.any(Array) });
    fake.lookups.length = 0;

    expect((await tva([{ cui: 'RO14837428', data: '2026-11-21' }])).status).toBe(400);
    expect((await tva([{ cui: 14837428, data: '21.11.2026' }])).status).toBe(400);
    expect((await tva({ cui: 14837428, data: '2026-11-21' })).status).toBe(400);
    expect(fake.lookups).toEqual([]);
  });

  it('the old v8 path is an HTML 404', async () => {
    const r = await tva([{ cui: 14837428, data: '2026-11-21' }], `${fake.url}/PlatitorTvaRest/api/v8/ws/tva`);
    expect(r.status).toBe(404);
    expect(r.type).toMatch(/^text\/html/);
  });
});
