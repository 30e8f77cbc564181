import { loadWorkerConfig } from '../config/worker-config';
import { ThreadContext } from './thread-context.service';

const config = loadWorkerConfig({
  REDIS_URL: 'redis://127.0.0.1:6379',
  HUBSPOT_ACCESS_TOKEN: 'pat-test-hubspot',
  HUBSPOT_BOT_ACTOR_ID: 'A-1',
  OPENAI_API_KEY: 'sk-test-openai',
  STAFF_EMAIL_DOMAINS: 'acme.ro, @ACME.nl',
  STAFF_EMAILS: 'Boss@Partner.ro',
  STAFF_VERIFICATION_HOURS: '2',
});
// Only the staff rules are exercised: they need no HubSpot, Redis or profiles.
const context = new ThreadContext(null!, null!, null!, null!, config.identity, config.profiles);
const HOUR = 3_600_000;

describe('ThreadContext staff rules', () => {
  it('a staff address is on STAFF_EMAIL_DOMAINS or exactly on STAFF_EMAILS (case-insensitive)', () => {
    expect(context.isStaffAddress('ana@acme.ro')).toBe(true);
    expect(context.isStaffAddress('Jan@Acme.NL')).toBe(true);
    expect(context.isStaffAddress('boss@partner.ro')).toBe(true);
    expect(context.isStaffAddress('other@partner.ro')).toBe(false);
    expect(context.isStaffAddress('ana@acme.ro.evil.com')).toBe(false);
    expect(context.isStaffAddress('ana@sub.acme.ro')).toBe(false);
  });

  it('staff = a staff address verified in this thread, within STAFF_VERIFICATION_HOURS; a claim is never enough', () => {
    const now = Date.now();
    expect(context.isStaff({ email: 'ana@acme.ro', contactId: '1' }, now)).toBe(false);
    expect(context.isStaff({ verifiedEmail: 'ana@acme.ro', verifiedAt: String(now - HOUR) }, now)).toBe(true);
    expect(context.isStaff({ verifiedEmail: 'ana@acme.ro', verifiedAt: String(now - 2 * HOUR - 1) }, now)).toBe(false);
    expect(context.isStaff({ verifiedEmail: 'eve@gmail.com', verifiedAt: String(now) }, now)).toBe(false);
  });
});
