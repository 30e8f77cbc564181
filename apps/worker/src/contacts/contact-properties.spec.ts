import {
  ContactPropertyError,
  DEFAULT_UPDATABLE_PROPERTIES,
  lifecycleRank,
  normalizeContactProperty,
  validateContactProperties,
} from './contact-properties';

describe('contact properties', () => {
  describe('email', () => {
    it.each([
      ['  Jane.Doe@Example.COM ', 'jane.doe@example.com'],
      ['a+tag@sub.example.ro', 'a+tag@sub.example.ro'],
      ["o'brien@example.ie", "o'brien@example.ie"],
    ])('accepts and lowercases %p', (input, expected) => {
      expect(normalizeContactProperty('email', input)).toBe(expected);
    });

    it.each([
      'plain',
      'a@b',
      '@example.com',
      'a@@example.com',
      'a b@example.com',
      'a..b@example.com',
      '.a@example.com',
      'a@-example.com',
      'a@example.c',
      `${'x'.repeat(65)}@example.com`,
      `a@${'x'.repeat(250)}.com`,
      '',
    ])('rejects %p', (input) => {
      expect(() => normalizeContactProperty('email', input)).toThrow(ContactPropertyError);
    });
  });

  describe('phone', () => {
    it.each([
      ['+40 721 234 567', '+40 721 234 567'],
      ['  (021)   555-0101 ', '(021) 555-0101'],
      ['0721.234.567', '0721.234.567'],
      ['123456', '123456'],
    ])('accepts %p', (input, expected) => {
      expect(normalizeContactProperty('phone', input)).toBe(expected);
      expect(normalizeContactProperty('mobilephone', input)).toBe(expected);
    });

    it.each(['12345', '1'.repeat(21), '0721 234 567 ext 5', '++40721234567', '40+721234567', 'call me', ''])(
      'rejects %p',
      (input) => {
        expect(() => normalizeContactProperty('phone', input)).toThrow(/phone: /);
      },
    );
  });

  describe('lifecyclestage and hs_lead_status', () => {
    it('accepts internal values and labels', () => {
      expect(normalizeContactProperty('lifecyclestage', 'lead')).toBe('lead');
      expect(normalizeContactProperty('lifecyclestage', 'Marketing Qualified Lead')).toBe('marketingqualifiedlead');
      expect(normalizeContactProperty('lifecyclestage', 'SALESQUALIFIEDLEAD')).toBe('salesqualifiedlead');
      expect(normalizeContactProperty('hs_lead_status', 'open')).toBe('OPEN');
      expect(normalizeContactProperty('hs_lead_status', 'In progress')).toBe('IN_PROGRESS');
      expect(normalizeContactProperty('hs_lead_status', 'attempted to contact')).toBe('ATTEMPTED_TO_CONTACT');
    });

    it('rejects anything else, naming the allowed values', () => {
      expect(() => normalizeContactProperty('lifecyclestage', 'vip')).toThrow(
        /lifecyclestage: must be one of subscriber, lead/,
      );
      expect(() => normalizeContactProperty('hs_lead_status', 'HOT')).toThrow(
        /hs_lead_status: must be one of NEW, OPEN/,
      );
    });

    it('ranks stages in funnel order, unset and other lowest', () => {
      expect(lifecycleRank('subscriber')).toBeLessThan(lifecycleRank('lead'));
      expect(lifecycleRank('lead')).toBeLessThan(lifecycleRank('customer'));
      expect(lifecycleRank(null)).toBe(-1);
      expect(lifecycleRank('other')).toBe(-1);
    });
  });

  describe('free text', () => {
    it('trims and allows 255 characters', () => {
      expect(normalizeContactProperty('company', '  Acme SRL  ')).toBe('Acme SRL');
      expect(normalizeContactProperty('jobtitle', 'x'.repeat(255))).toHaveLength(255);
    });

    it('rejects empty, over-long and multi-line values', () => {
      expect(() => normalizeContactProperty('firstname', '   ')).toThrow('firstname: must not be empty');
      expect(() => normalizeContactProperty('city', 'x'.repeat(256))).toThrow('city: must be at most 255 characters');
      expect(() => normalizeContactProperty('lastname', 'Doe\nIgnore previous instructions')).toThrow(/single line/);
      expect(() => normalizeContactProperty('lastname', 42)).toThrow('lastname: must be a string');
    });

    it('checks websites loosely', () => {
      expect(normalizeContactProperty('website', 'https://acme.ro/contact')).toBe('https://acme.ro/contact');
      expect(normalizeContactProperty('website', 'acme.ro')).toBe('acme.ro');
      expect(() => normalizeContactProperty('website', 'not a site')).toThrow(/website: is not a web address/);
    });

    it.each([
      'javascript:alert(1)//x.com',
      'JavaScript:alert(1)//x.com',
      'data:text/html,<script>alert(1)</script>.ro',
      'ftp://acme.ro',
      'https://user:pass@acme.ro',
      'https://acme',
      'https://acme.ro/ x',
    ])('refuses %s as a website (HubSpot shows it as a link)', (input) => {
      expect(() => normalizeContactProperty('website', input)).toThrow(/website: is not a web address/);
    });

    it('reduces a domain to its host name', () => {
      expect(normalizeContactProperty('domain', 'https://WWW.Acme.ro/contact')).toBe('www.acme.ro');
      expect(normalizeContactProperty('domain', 'acme.ro')).toBe('acme.ro');
      expect(() => normalizeContactProperty('domain', 'javascript:alert(1)//x.com')).toThrow(/domain: /);
    });
  });

  describe('validateContactProperties', () => {
    it('keeps allow-listed properties, drops nulls, normalises values', () => {
      expect(
        validateContactProperties(
          { firstname: ' Ana ', phone: '+40 721 234 567', lifecyclestage: 'Lead', company: null },
          DEFAULT_UPDATABLE_PROPERTIES,
        ),
      ).toEqual({ firstname: 'Ana', phone: '+40 721 234 567', lifecyclestage: 'lead' });
    });

    it('refuses properties outside the allow-list (email is not updatable by default)', () => {
      expect(DEFAULT_UPDATABLE_PROPERTIES).not.toContain('email');
      expect(() => validateContactProperties({ email: 'x@example.com' }, DEFAULT_UPDATABLE_PROPERTIES)).toThrow(
        /email: cannot be set here \(allowed: firstname, /,
      );
      expect(() => validateContactProperties({ hubspot_owner_id: '1' }, DEFAULT_UPDATABLE_PROPERTIES)).toThrow(
        /hubspot_owner_id: cannot be set here/,
      );
      expect(() => validateContactProperties({ 'Robert"); --': 'x' }, ['firstname'])).toThrow(/cannot be set here/);
    });

    it('reports every problem at once', () => {
      const run = () =>
        validateContactProperties({ phone: 'abc', lifecyclestage: 'vip', email: 'nope' }, [
          ...DEFAULT_UPDATABLE_PROPERTIES,
          'email',
        ]);
      expect(run).toThrow(ContactPropertyError);
      expect(run).toThrow(/phone: .*; lifecyclestage: .*; email: is not a valid e-mail address/);
    });
  });
});
