import { redactToolArguments } from './tool-arguments.redaction';

describe('redactToolArguments', () => {
  it('masks e-mails and phones and reduces other contact text to its length', () => {
    const out = redactToolArguments(
      'create_contact',
      JSON.stringify({ email: 'jane.doe@example.com', phone: '+40 721 234 567', firstname: 'Jane', company: null }),
    );
    expect(out).toEqual({ email: 'j***@example.com', phone: '***67', firstname: '[4 chars]', company: null });
    expect(JSON.stringify(out)).not.toMatch(/jane|Jane|721/);
  });

  it('keeps ids and enumerations an operator needs', () => {
    expect(
      redactToolArguments('update_contact', JSON.stringify({ id: '501', properties: { lifecyclestage: 'lead' } })),
    ).toEqual({ id: '501', properties: { lifecyclestage: 'lead' } });
  });

  it('keeps company-register queries but masks contact data inside them', () => {
    expect(redactToolArguments('search_companies', JSON.stringify({ query: 'Borg Design ana@borg.ro' }))).toEqual({
      query: 'Borg Design a***@borg.ro',
    });
    expect(redactToolArguments('get_company', JSON.stringify({ cui: 'RO14837428', fields: ['Name', 'NACE'] }))).toEqual(
      { cui: 'RO14837428', fields: ['Name', 'NACE'] },
    );
  });

  it('keeps what a company write touched (CUI, contact id, company name) and masks contact data', () => {
    expect(redactToolArguments('save_company', JSON.stringify({ cui: '14837428', contact_id: '501' }))).toEqual({
      cui: '14837428',
      contact_id: '501',
    });
    expect(
      redactToolArguments('search_companies_crm', JSON.stringify({ name: 'Borg +40 721 234 567', cui: null })),
    ).toEqual({ name: 'Borg ***67', cui: null });
  });

  it('never throws on malformed or odd arguments', () => {
    expect(redactToolArguments('search_contacts', '{"email": "x@y.z"')).toEqual({ unparsable: '[17 chars]' });
    expect(redactToolArguments('search_contacts', '"just a string"')).toEqual({ value: '[13 chars]' });
    const deep = JSON.stringify({ a: { b: { c: { d: { e: 'secret' } } } } });
    expect(JSON.stringify(redactToolArguments('x', deep))).not.toContain('secret');
  });
});
