import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum as Category } from '@hubspot/api-client/lib/codegen/crm/objects/notes';
import { setupCompanyProperties } from '../../apps/worker/src/companies/company-property.setup';
import { missingScopeError } from '../../apps/worker/src/hubspot/hubspot-errors';
import { FakeHubSpot } from './hubspot.fake';

const TOKEN = 'pat-test-crm-objects';

async function sdkError(call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (err) {
    return err as { code: number; body: Record<string, unknown> };
  }
  throw new Error('expected the SDK call to throw');
}

/** The fake's CRM objects part, through the real SDK: it must reject what HubSpot rejects. */
describe('FakeHubSpot CRM objects (notes, companies, associations, properties, scopes)', () => {
  let fake: FakeHubSpot;
  let sdk: Client;
  beforeAll(async () => {
    fake = await new FakeHubSpot({ accessToken: TOKEN }).start();
    sdk = new Client({ accessToken: TOKEN, basePath: fake.url, numberOfApiCallRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.stop());

  const toContact = (id: string, typeId = 202) => ({
    to: { id },
    types: [{ associationCategory: Category.HubspotDefined, associationTypeId: typeId }],
  });

  it('creates a note associated with a contact, lists it through associations v4 and reads it in a batch', async () => {
    const contact = fake.addContact({ email: 'ion@borg.ro' });
    const note = await sdk.crm.objects.notes.basicApi.create({
      properties: { hs_note_body: '<p>hello</p>', hs_timestamp: new Date().toISOString() },
      associations: [toContact(contact.id)],
    });
    const page = await sdk.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'notes');
    expect(page.results.map((r) => String(r.toObjectId))).toEqual([note.id]);
    const read = await sdk.crm.objects.notes.batchApi.read({
      inputs: [{ id: note.id }],
      properties: ['hs_note_body'],
      propertiesWithHistory: [],
    });
    expect(read.results[0].properties.hs_note_body).toBe('<p>hello</p>');
  });

  it('rejects a note without hs_timestamp, with an unknown property or associated with nothing real', async () => {
    const contact = fake.addContact({ email: 'ion@borg.ro' });
    const create = (properties: Record<string, string>, associations = [toContact(contact.id)]) =>
      sdkError(sdk.crm.objects.notes.basicApi.create({ properties, associations }));
    expect((await create({ hs_note_body: 'x' })).code).toBe(400);
    expect((await create({ hs_note_body: 'x', hs_timestamp: '2026-12-06T10:00:00Z', message: 'x' })).code).toBe(400);
    expect((await create({ hs_timestamp: '2026-12-06T10:00:00Z' }, [toContact('999')])).code).toBe(400);
    expect((await create({ hs_timestamp: '2026-12-06T10:00:00Z' }, [toContact(contact.id, 280)])).code).toBe(400);
    expect(fake.crm.notes.size).toBe(0);
  });

  it('upserts companies only by a unique property: one company per value', async () => {
    fake.crm.defineCompanyProperty({ name: 'cui', hasUniqueValue: true });
    fake.crm.defineCompanyProperty({ name: 'cod_fiscal' });
    const upsert = (idProperty: string, name: string) =>
      sdk.crm.companies.batchApi.upsert({ inputs: [{ id: '14837428', idProperty, properties: { name } }] });
    expect((await sdkError(upsert('cod_fiscal', 'X'))).code).toBe(400);
    const [a, b] = await Promise.all([upsert('cui', 'Borg'), upsert('cui', 'Borg')]);
    expect(a.results[0].id).toBe(b.results[0].id);
    expect([a.results[0]._new, b.results[0]._new].sort()).toEqual([false, true]);
    expect(fake.crm.companies.size).toBe(1);
    const got = await sdk.crm.companies.basicApi.getById(
      '14837428',
      ['name', 'cui'],
      undefined,
      undefined,
      false,
      'cui',
    );
    expect(got.properties).toMatchObject({ name: 'Borg', cui: '14837428' });
  });

  it('associates a company with a contact by the default type (both directions), 404 for a missing one', async () => {
    const contact = fake.addContact({ email: 'ion@borg.ro' });
    const company = fake.crm.addCompany({ name: 'Borg' });
    await sdk.crm.associations.v4.basicApi.createDefault('companies', company.id, 'contacts', contact.id);
    expect(fake.crm.associated('contacts', contact.id, 'companies')).toEqual([company.id]);
    const err = await sdkError(
      sdk.crm.associations.v4.basicApi.createDefault('companies', company.id, 'contacts', '1'),
    );
    expect(err.code).toBe(404);
  });

  it('answers 403 MISSING_SCOPES naming the scope; our mapping names it too', async () => {
    fake.crm.revokeScope('crm.objects.companies.write');
    fake.crm.defineCompanyProperty({ name: 'cui', hasUniqueValue: true });
    const err = await sdkError(
      sdk.crm.companies.batchApi.upsert({ inputs: [{ id: '1', idProperty: 'cui', properties: {} }] }),
    );
    expect(err.code).toBe(403);
    expect(err.body.category).toBe('MISSING_SCOPES');
    expect(missingScopeError(err, 'fallback')?.scopes).toEqual(['crm.objects.companies.write']);
    expect(fake.crm.companies.size).toBe(0);
  });

  describe('setup command (npm run hubspot:setup-company-property)', () => {
    it('creates the unique CUI property and the register properties once; a second run changes nothing', async () => {
      const first = await setupCompanyProperties(sdk, 'cui');
      expect(first).toEqual([
        { property: 'cui', outcome: 'created' },
        { property: 'ro_registration_number', outcome: 'created' },
        { property: 'ro_nace', outcome: 'created' },
        { property: 'ro_company_status', outcome: 'created' },
      ]);
      expect(fake.crm.companyProperties.get('cui')).toMatchObject({ hasUniqueValue: true, type: 'string' });
      const creates = fake.received('POST', '/crm/v3/properties/companies').length;
      expect((await setupCompanyProperties(sdk, 'cui')).map((l) => l.outcome)).toEqual([
        'exists',
        'exists',
        'exists',
        'exists',
      ]);
      expect(fake.received('POST', '/crm/v3/properties/companies')).toHaveLength(creates);
    });

    it('reports a CUI property that is not unique, and a missing schema scope, instead of failing silently', async () => {
      fake.crm.defineCompanyProperty({ name: 'cui' });
      fake.crm.revokeScope('crm.schemas.companies.write');
      const lines = await setupCompanyProperties(sdk, 'cui');
      expect(lines[0]).toMatchObject({
        property: 'cui',
        outcome: 'problem',
        detail: expect.stringMatching(/not unique/),
      });
      expect(lines[1]).toMatchObject({
        outcome: 'problem',
        detail: expect.stringContaining('crm.schemas.companies.write'),
      });
    });
  });
});
