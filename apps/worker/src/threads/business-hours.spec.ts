import {
  isOpen,
  isTimeZone,
  nextOpening,
  parseBusinessHours,
  parseHolidays,
  type BusinessHours,
} from './business-hours';
import { describeOpening } from './handoff-texts';

const ZONE = 'Europe/Bucharest';
const hours = (spec: string, holidays: string[] = []): BusinessHours => ({
  ranges: parseBusinessHours(spec),
  timeZone: ZONE,
  holidays,
});
const at = (iso: string) => Date.parse(iso);

describe('business hours', () => {
  const week = hours('Mon-Fri 09:00-18:00, Sat 10:00-14:00', ['2026-12-25']);

  it('parses day ranges, single days and several ranges', () => {
    expect(parseBusinessHours('Mon-Fri 09:00-18:00, Sat 10:00-14:00')).toHaveLength(6);
    expect(parseBusinessHours('sat-mon 10:00-12:00').map((r) => r.day)).toEqual([6, 0, 1]);
    expect(parseBusinessHours('Sun 00:00-24:00')).toEqual([{ day: 0, from: 0, to: 1440 }]);
  });

  it.each([
    ['', 'is empty'],
    ['Mon-Fri', 'must look like Mon-Fri 09:00-18:00'],
    ['Mon-Fry 09:00-18:00', 'Fry is not a weekday'],
    ['Mon 18:00-09:00', 'closing time must come after'],
    ['Mon 09:60-10:00', 'is not a time of day'],
  ])('refuses %p (%s)', (spec, problem) => {
    expect(() => parseBusinessHours(spec)).toThrow(problem);
  });

  it('validates holidays and time zones', () => {
    expect(parseHolidays(' 2026-12-25, 2027-01-01 ')).toEqual(['2026-12-25', '2027-01-01']);
    expect(() => parseHolidays('2026-02-30')).toThrow('must be a date');
    expect(isTimeZone(ZONE)).toBe(true);
    expect(isTimeZone('Europe/Atlantis')).toBe(false);
  });

  it('is open inside a range in the zone, closed outside, on a holiday and at the closing minute', () => {
    expect(isOpen(week, at('2026-12-09T08:00:00Z'))).toBe(true); // Wed 10:00 local
    expect(isOpen(week, at('2026-12-09T16:00:00Z'))).toBe(false); // Wed 18:00 local
    expect(isOpen(week, at('2026-12-09T06:30:00Z'))).toBe(false); // Wed 08:30 local
    expect(isOpen(week, at('2026-12-25T10:00:00Z'))).toBe(false); // Christmas, a Friday
    expect(isOpen(week, at('2026-12-05T09:00:00Z'))).toBe(true); // Sat 11:00 local
  });

  it('finds the next opening: later today, tomorrow, after the weekend and after a holiday', () => {
    expect(nextOpening(week, at('2026-12-09T08:00:00Z'))).toBeUndefined();
    expect(nextOpening(week, at('2026-12-09T05:00:00Z'))).toEqual({
      at: at('2026-12-09T07:00:00Z'),
      date: '2026-12-09',
      time: '09:00',
    });
    expect(nextOpening(week, at('2026-12-05T18:00:00Z'))).toMatchObject({ date: '2026-12-07', time: '09:00' });
    expect(nextOpening(week, at('2026-12-24T17:00:00Z'))).toMatchObject({ date: '2026-12-26', time: '10:00' });
    expect(nextOpening(week, at('2026-12-24T17:00:00Z'))!.at).toBe(at('2026-12-26T08:00:00Z'));
  });

  it('lands on the local opening time across a daylight-saving change', () => {
    // Bucharest moves to UTC+3 on Sunday 2027-03-28: Monday 09:00 is 06:00Z, not 07:00Z.
    expect(nextOpening(week, at('2027-03-27T18:00:00Z'))!.at).toBe(at('2027-03-29T06:00:00Z'));
  });

  it('describes the opening in the visitor language', () => {
    const now = at('2026-12-05T18:00:00Z'); // Saturday evening
    const monday = nextOpening(week, now);
    expect(describeOpening(monday, 'en', ZONE, now)).toBe('on Monday from 09:00 (Europe/Bucharest time)');
    expect(describeOpening(monday, 'ro', ZONE, now)).toBe('luni de la 09:00 (ora Europe/Bucharest)');
    expect(describeOpening(monday, 'nl', ZONE, now)).toBe('op maandag vanaf 09:00 (tijdzone Europe/Bucharest)');
    const early = at('2026-12-09T05:00:00Z');
    expect(describeOpening(nextOpening(week, early), 'en', ZONE, early)).toBe(
      'today from 09:00 (Europe/Bucharest time)',
    );
    const evening = at('2026-12-09T17:00:00Z');
    expect(describeOpening(nextOpening(week, evening), 'ro', ZONE, evening)).toBe(
      'mâine de la 09:00 (ora Europe/Bucharest)',
    );
    expect(describeOpening(undefined, 'en', ZONE, evening)).toBe('as soon as possible');
  });
});
