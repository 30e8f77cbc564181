import type { Language } from '../profiles/language';
import type { Opening } from './business-hours';

/** How the opening time reads in each language; the texts around it are in profiles/fixed-texts.ts. */
interface OpeningWords {
  /** "on Monday from 09:00 (Europe/Bucharest time)": `day` is the weekday's name, or null for today/tomorrow. */
  when(day: string | null, relative: 'today' | 'tomorrow' | null, time: string, timeZone: string): string;
  /** Nothing opens within a month (a long closure): no time is promised. */
  later: string;
}

const LOCALES: Record<Language, string> = { en: 'en-GB', ro: 'ro-RO', nl: 'nl-NL' };

const OPENING_WORDS: Record<Language, OpeningWords> = {
  en: {
    when: (day, relative, time, zone) => `${relative ?? `on ${day}`} from ${time} (${zone} time)`,
    later: 'as soon as possible',
  },
  ro: {
    when: (day, relative, time, zone) =>
      `${relative === 'today' ? 'astăzi' : relative === 'tomorrow' ? 'mâine' : day} de la ${time} (ora ${zone})`,
    later: 'cât mai curând posibil',
  },
  nl: {
    when: (day, relative, time, zone) =>
      `${relative === 'today' ? 'vandaag' : relative === 'tomorrow' ? 'morgen' : `op ${day}`} vanaf ${time} (tijdzone ${zone})`,
    later: 'zo snel mogelijk',
  },
};

/** "on Monday from 09:00 (Europe/Bucharest time)", in the visitor's language. */
export function describeOpening(
  opening: Opening | undefined,
  language: Language,
  timeZone: string,
  now: number,
): string {
  const t = OPENING_WORDS[language];
  if (!opening) return t.later;
  const today = localDate(now, timeZone);
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const relative = opening.date === today ? 'today' : opening.date === tomorrow ? 'tomorrow' : null;
  const day = new Intl.DateTimeFormat(LOCALES[language], { weekday: 'long', timeZone }).format(opening.at);
  return t.when(relative ? null : day, relative, opening.time, timeZone);
}

function localDate(at: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
