import { configProblems } from '@app/config';
import { loadWorkerConfig } from './worker-config';

const required = {
  REDIS_URL: 'redis://redis:6379',
  HUBSPOT_ACCESS_TOKEN: 'pat-na1-0000',
  HUBSPOT_BOT_ACTOR_ID: 'A-12345',
  OPENAI_API_KEY: 'sk-test-0000',
};

const problemsOf = (env: Record<string, string>) => configProblems(loadWorkerConfig, env);

describe('loadWorkerConfig', () => {
  it('applies defaults: real provider URLs, Redis-only mapping, ANAF-only company lookups', () => {
    const config = loadWorkerConfig(required);
    expect(config.http.port).toBe(3001);
    expect(config.hubspot.baseUrl).toBe('https://api.hubapi.com');
    expect(config.openai.baseUrl).toBe('https://api.openai.com/v1');
    expect(config.openai.maxToolRounds).toBe(6);
    expect(config.openai.maxIdenticalCalls).toBe(3);
    expect(config.airtable).toBeUndefined();
    expect(config.companies.listaFirmeApiKey).toBeUndefined();
  });

  it('names every missing provider variable', () => {
    expect(problemsOf({})).toEqual([
      'REDIS_URL is required',
      'HUBSPOT_ACCESS_TOKEN is required',
      'HUBSPOT_BOT_ACTOR_ID is required',
      'OPENAI_API_KEY is required',
    ]);
  });

  it('CRM write-back: no contact property gets the qualification, nothing is overwritten, companies keyed on cui', () => {
    expect(loadWorkerConfig(required).contacts).toMatchObject({
      leadNoteProperty: undefined,
      overwriteProperties: [],
      companyCuiProperty: 'cui',
      companyOverwriteProperties: [],
    });
    const set = loadWorkerConfig({
      ...required,
      CONTACT_OVERWRITE_PROPERTIES: 'jobtitle, city',
      COMPANY_CUI_PROPERTY: 'cod_fiscal',
      COMPANY_OVERWRITE_PROPERTIES: 'address',
    }).contacts;
    expect(set).toMatchObject({
      overwriteProperties: ['jobtitle', 'city'],
      companyCuiProperty: 'cod_fiscal',
      companyOverwriteProperties: ['address'],
    });
    expect(problemsOf({ ...required, COMPANY_CUI_PROPERTY: 'CUI-RO' })).toEqual([
      'COMPANY_CUI_PROPERTY must be a HubSpot property name (lowercase letters, digits, _)',
    ]);
  });

  it('rejects a bot actor that is not an agent', () => {
    expect(problemsOf({ ...required, HUBSPOT_BOT_ACTOR_ID: 'V-1' })).toEqual([
      'HUBSPOT_BOT_ACTOR_ID must be an agent actor id like A-12345',
    ]);
  });

  it('answers live chat only unless ANSWER_CHANNELS says more, and refuses anything but channel ids', () => {
    expect(loadWorkerConfig(required).profiles.answerChannels).toEqual(['1000']);
    expect(loadWorkerConfig({ ...required, ANSWER_CHANNELS: ' 1000, 1001 ' }).profiles.answerChannels).toEqual([
      '1000',
      '1001',
    ]);
    expect(problemsOf({ ...required, ANSWER_CHANNELS: 'chat' })).toEqual([
      'ANSWER_CHANNELS must be HubSpot channel ids like 1000,1001',
    ]);
  });

  it('configures Airtable with the seed defaults when key and base are given', () => {
    const config = loadWorkerConfig({ ...required, AIRTABLE_API_KEY: 'patXXXXXXXX', AIRTABLE_BASE_ID: 'appXYZ' });
    expect(config.airtable).toEqual({
      apiKey: 'patXXXXXXXX',
      baseId: 'appXYZ',
      table: 'Conversations',
      threadField: 'Hubspot Thread ID',
      conversationField: 'OpenAI Thread ID',
      endpointUrl: 'https://api.airtable.com',
      requestsPerSecond: 5,
    });
  });

  it('refuses half an Airtable configuration', () => {
    expect(problemsOf({ ...required, AIRTABLE_API_KEY: 'patXXXXXXXX' })).toEqual([
      'AIRTABLE_BASE_ID is required when the other Airtable variable is set',
    ]);
  });

  it('strips trailing slashes from base URLs', () => {
    const config = loadWorkerConfig({ ...required, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1/' });
    expect(config.openai.baseUrl).toBe('http://127.0.0.1:9/v1');
  });

  describe('provider URLs must be https (tokens travel in these requests)', () => {
    const VARS = [
      'HUBSPOT_BASE_URL',
      'OPENAI_BASE_URL',
      'AIRTABLE_ENDPOINT_URL',
      'LISTAFIRME_BASE_URL',
      'ANAF_BASE_URL',
    ] as const;

    it.each(VARS)('refuses plain http on a public host for %s, naming the variable and the fix', (name) => {
      expect(problemsOf({ ...required, [name]: 'http://api.example.com/v1' })).toEqual([
        `${name} must use https:// (plain http:// is allowed only for localhost/127.0.0.1/[::1]); fix the URL, or set ALLOW_INSECURE_PROVIDER_URLS=true for a test setup`,
      ]);
    });

    it.each([
      'http://localhost:8080',
      'http://127.0.0.1:9',
      'http://127.1.2.3:9/v1',
      'http://[::1]:9/v1',
      'https://api.example.com',
    ])('accepts %s', (url) => {
      const env = Object.fromEntries(VARS.map((v) => [v, url]));
      expect(loadWorkerConfig({ ...required, ...env }).hubspot.baseUrl).toBe(url.replace(/\/+$/, ''));
    });

    it.each(['http://127.0.0.1.evil.example', 'http://localhost.evil.example:80', 'http://10.0.0.5', 'http://[::2]'])(
      'refuses %s (not loopback)',
      (url) => {
        expect(problemsOf({ ...required, OPENAI_BASE_URL: url })).toHaveLength(1);
      },
    );

    it('allows http anywhere with ALLOW_INSECURE_PROVIDER_URLS=true', () => {
      const config = loadWorkerConfig({
        ...required,
        HUBSPOT_BASE_URL: 'http://hubspot-fake:8080',
        ALLOW_INSECURE_PROVIDER_URLS: 'true',
      });
      expect(config.hubspot.baseUrl).toBe('http://hubspot-fake:8080');
      expect(problemsOf({ ...required, ALLOW_INSECURE_PROVIDER_URLS: 'yes' })).toEqual([
        'ALLOW_INSECURE_PROVIDER_URLS must be true or false',
      ]);
    });
  });

  describe('handoff', () => {
    it('is always open and unassigned by default', () => {
      const { handoff } = loadWorkerConfig(required);
      expect(handoff.businessHours).toBeUndefined();
      expect(handoff.assigneeActorId).toBeUndefined();
      expect(handoff.outsideHours).toBe('handoff');
      expect(typeof handoff.now()).toBe('number');
    });

    it('reads the assignee, business hours, time zone, holidays and the out-of-hours mode', () => {
      const { handoff } = loadWorkerConfig({
        ...required,
        HANDOFF_ASSIGNEE_ACTOR_ID: 'A-2620022',
        HANDOFF_BUSINESS_HOURS: 'Mon-Fri 09:00-18:00, Sat 10:00-14:00',
        HANDOFF_TIMEZONE: 'Europe/Bucharest',
        HANDOFF_HOLIDAYS: '2026-12-25,2027-01-01',
        HANDOFF_OUTSIDE_HOURS: 'stay',
      });
      expect(handoff.assigneeActorId).toBe('A-2620022');
      expect(handoff.businessHours).toMatchObject({
        timeZone: 'Europe/Bucharest',
        holidays: ['2026-12-25', '2027-01-01'],
      });
      expect(handoff.businessHours!.ranges).toHaveLength(6);
      expect(handoff.outsideHours).toBe('stay');
    });

    it('names every bad handoff variable at boot', () => {
      expect(
        problemsOf({
          ...required,
          HANDOFF_ASSIGNEE_ACTOR_ID: 'sam@corp.test',
          HANDOFF_BUSINESS_HOURS: 'weekdays 9-18',
          HANDOFF_TIMEZONE: 'Europe/Atlantis',
          HANDOFF_HOLIDAYS: '25.12.2026',
          HANDOFF_OUTSIDE_HOURS: 'sleep',
        }),
      ).toEqual([
        'HANDOFF_ASSIGNEE_ACTOR_ID must be an agent actor id like A-12345',
        'HANDOFF_BUSINESS_HOURS "weekdays 9-18" must look like Mon-Fri 09:00-18:00',
        'HANDOFF_TIMEZONE must be an IANA time zone like Europe/Bucharest',
        'HANDOFF_HOLIDAYS "25.12.2026" must be a date like 2026-12-25',
        'HANDOFF_OUTSIDE_HOURS must be one of handoff, stay',
      ]);
    });
  });
});
