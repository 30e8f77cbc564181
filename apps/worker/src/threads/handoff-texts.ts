import type { Language } from '../profiles/language';
import type { Opening } from './business-hours';

/** What the visitor reads about a handoff outside business hours, in each language. */
export interface HandoffTexts {
  /** "on Monday from 09:00 (Europe/Bucharest time)": `day` is the weekday's name, or null for today/tomorrow. */
  when(day: string | null, relative: 'today' | 'tomorrow' | null, time: string, timeZone: string): string;
  /** The handoff text outside business hours (replaces HANDOFF_MESSAGE there). */
  handedOffClosed(when: string): string;
  /** The visitor asked for a person outside hours and the bot stays on (HANDOFF_OUTSIDE_HOURS=stay). */
  stayClosed(when: string): string;
  /** Added to the fallback and cost-cap texts outside hours (they hand off too). */
  closedNote(when: string): string;
  /** Nothing opens within a month (a long closure): no time is promised. */
  later: string;
}

const LOCALES: Record<Language, string> = { en: 'en-GB', ro: 'ro-RO', nl: 'nl-NL' };

export const HANDOFF_TEXTS: Record<Language, HandoffTexts> = {
  en: {
    when: (day, relative, time, zone) => `${relative ?? `on ${day}`} from ${time} (${zone} time)`,
    handedOffClosed: (when) =>
      `Thanks! I've passed this conversation to a colleague. Our team is away right now: a colleague will reply here ${when}.`,
    closedNote: (when) => `Our team is away right now: a colleague will reply here ${when}.`,
    stayClosed: (when) =>
      `Our team is away right now and will be back ${when}. I can take a message: write what you need and how we ` +
      `can reach you, and a colleague will follow up. Meanwhile I'm happy to keep helping here.`,
    later: 'as soon as possible',
  },
  ro: {
    when: (day, relative, time, zone) =>
      `${relative === 'today' ? 'astăzi' : relative === 'tomorrow' ? 'mâine' : day} de la ${time} (ora ${zone})`,
    handedOffClosed: (when) =>
      `Mulțumesc! Am transmis conversația unui coleg. Echipa noastră nu este disponibilă acum: un coleg vă va răspunde aici ${when}.`,
    closedNote: (when) => `Echipa noastră nu este disponibilă acum: un coleg vă va răspunde aici ${when}.`,
    stayClosed: (when) =>
      `Echipa noastră nu este disponibilă acum și revine ${when}. Pot prelua un mesaj: scrieți ce aveți nevoie și ` +
      `cum vă putem contacta, iar un coleg vă va răspunde. Între timp, vă pot ajuta în continuare aici.`,
    later: 'cât mai curând posibil',
  },
  nl: {
    when: (day, relative, time, zone) =>
      `${relative === 'today' ? 'vandaag' : relative === 'tomorrow' ? 'morgen' : `op ${day}`} vanaf ${time} (tijdzone ${zone})`,
    handedOffClosed: (when) =>
      `Bedankt! Ik heb dit gesprek aan een collega doorgegeven. Ons team is nu niet bereikbaar: een collega antwoordt hier ${when}.`,
    closedNote: (when) => `Ons team is nu niet bereikbaar: een collega antwoordt hier ${when}.`,
    stayClosed: (when) =>
      `Ons team is nu niet bereikbaar en is er weer ${when}. Ik kan een bericht aannemen: schrijf wat u nodig hebt en ` +
      `hoe we u kunnen bereiken, dan neemt een collega contact op. Intussen help ik u hier graag verder.`,
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
  const t = HANDOFF_TEXTS[language];
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
