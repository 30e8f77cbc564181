/**
 * Business hours from configuration (HubSpot has no API for inbox hours or agent availability):
 * `Mon-Fri 09:00-18:00, Sat 10:00-14:00` in an IANA time zone, minus holidays (YYYY-MM-DD, local).
 * Pure functions over an instant, so a test can freeze the clock.
 */

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const RANGE = /^([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})$/i;
/** How far ahead the next opening is looked for (holidays may close a week or two). */
const LOOKAHEAD_DAYS = 31;

/** One open window: a weekday (0 = Sunday) and minutes since local midnight, end exclusive. */
export interface OpenRange {
  day: number;
  from: number;
  to: number;
}

export interface BusinessHours {
  ranges: OpenRange[];
  timeZone: string;
  /** Local dates (YYYY-MM-DD) on which nobody answers. */
  holidays: string[];
}

/** The next time people answer: the instant and its local wall clock. */
export interface Opening {
  at: number;
  /** Local date YYYY-MM-DD. */
  date: string;
  /** Local time HH:MM. */
  time: string;
}

/** Parses `Mon-Fri 09:00-18:00, Sat 10:00-14:00`; throws with a message naming the bad part. */
export function parseBusinessHours(spec: string): OpenRange[] {
  const parts = spec
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('is empty');
  return parts.flatMap((part) => {
    const m = RANGE.exec(part);
    if (!m) throw new Error(`"${part}" must look like Mon-Fri 09:00-18:00`);
    const first = dayIndex(m[1], part);
    const last = m[2] ? dayIndex(m[2], part) : first;
    const from = minutes(m[3], m[4], part);
    const to = minutes(m[5], m[6], part);
    if (to <= from) throw new Error(`"${part}": the closing time must come after the opening time`);
    const days: number[] = [];
    // Mon-Fri, or a range that wraps the week (Sat-Mon).
    for (let d = first; ; d = (d + 1) % 7) {
      days.push(d);
      if (d === last) break;
    }
    return days.map((day) => ({ day, from, to }));
  });
}

/** Parses `2026-12-25, 2027-01-01`; throws naming a bad date. */
export function parseHolidays(spec: string): string[] {
  return spec
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => {
      const ok = /^\d{4}-\d{2}-\d{2}$/.test(d) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
      if (!ok) throw new Error(`"${d}" must be a date like 2026-12-25`);
      return d;
    });
}

/** True when the zone is one Intl knows (validated at boot). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function isOpen(hours: BusinessHours, at: number): boolean {
  const local = wallClock(at, hours.timeZone);
  if (hours.holidays.includes(local.date)) return false;
  return hours.ranges.some((r) => r.day === local.day && local.minutes >= r.from && local.minutes < r.to);
}

/** The next opening after `at` when closed then; undefined when open (or nothing opens within a month). */
export function nextOpening(hours: BusinessHours, at: number): Opening | undefined {
  if (isOpen(hours, at)) return undefined;
  const today = wallClock(at, hours.timeZone);
  const [y, mo, d] = today.date.split('-').map(Number);
  for (let offset = 0; offset <= LOOKAHEAD_DAYS; offset++) {
    const day = new Date(Date.UTC(y, mo - 1, d + offset));
    const date = day.toISOString().slice(0, 10);
    if (hours.holidays.includes(date)) continue;
    const starts = hours.ranges
      .filter((r) => r.day === day.getUTCDay() && (offset > 0 || r.from > today.minutes))
      .map((r) => r.from)
      .sort((a, b) => a - b);
    if (starts.length === 0) continue;
    const from = starts[0];
    return { at: instantOf(date, from, hours.timeZone), date, time: hhmm(from) };
  }
  return undefined;
}

interface WallClock {
  date: string;
  day: number;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(at: number, timeZone: string): WallClock {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    day: DAYS.indexOf(p.weekday.toLowerCase() as (typeof DAYS)[number]),
    minutes: Number(p.hour) * 60 + Number(p.minute),
  };
}

/** The instant a local date and time happen in the zone (the zone's offset can differ that day: DST). */
function instantOf(date: string, minutesOfDay: number, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const asUtc = Date.UTC(y, m - 1, d) + minutesOfDay * 60_000;
  let at = asUtc;
  for (let i = 0; i < 2; i++) {
    const local = wallClock(at, timeZone);
    const [ly, lm, ld] = local.date.split('-').map(Number);
    const seen = Date.UTC(ly, lm - 1, ld) + local.minutes * 60_000;
    at += asUtc - seen;
  }
  return at;
}

function dayIndex(name: string, part: string): number {
  const i = DAYS.indexOf(name.toLowerCase() as (typeof DAYS)[number]);
  if (i < 0) throw new Error(`"${part}": ${name} is not a weekday (Mon, Tue, … Sun)`);
  return i;
}

function minutes(h: string, m: string, part: string): number {
  const value = Number(h) * 60 + Number(m);
  if (Number(m) > 59 || value > 24 * 60) throw new Error(`"${part}": ${h}:${m} is not a time of day`);
  return value;
}

const hhmm = (mins: number) =>
  `${String(Math.floor(mins / 60)).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;
