import type { ChatMessage } from './demo-script';

export type DemoLanguage = 'en' | 'ro' | 'nl';

const NAMES: Record<string, DemoLanguage> = { English: 'en', Romanian: 'ro', Dutch: 'nl' };

/**
 * The language the worker asks for: its instructions end with "The visitor's language is X"
 * (profiles/language.ts). The demo model reads it as a real model would; English otherwise.
 */
export function askedLanguage(messages: ChatMessage[]): DemoLanguage {
  const system = messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => (typeof m.content === 'string' ? m.content : ''))
    .join('\n');
  const name = /The visitor's language is (\w+)/.exec(system)?.[1];
  return (name && NAMES[name]) || 'en';
}

/** The demo model's own sentences (tool data such as company names stays as the register has it). */
export const DEMO_TEXTS: Record<
  DemoLanguage,
  Record<'askEmail' | 'leadDone' | 'handedOff' | 'noKnowledge' | 'noCompany' | 'askName', string>
> = {
  en: {
    askEmail: "Happy to help with that! What's your e-mail address and your name, so a colleague can follow up?",
    leadDone: "Thank you! I've noted what you need; a colleague from sales will get in touch with you.",
    handedOff: "I've asked a colleague to take over; they will reply here shortly.",
    noKnowledge: "I couldn't find that in our documents; a colleague can help if you ask for one.",
    noCompany: 'I found no company by that name or number in the register.',
    askName: 'Thanks. What are the first and last name?',
  },
  ro: {
    askEmail: 'Cu plăcere! Care este adresa ta de e-mail și numele tău, ca să te contacteze un coleg?',
    leadDone: 'Mulțumesc! Am notat ce ai nevoie; un coleg de la vânzări te va contacta.',
    handedOff: 'Am rugat un coleg să preia conversația; îți va răspunde aici în curând.',
    noKnowledge: 'Nu am găsit asta în documentele noastre; un coleg te poate ajuta dacă ceri unul.',
    noCompany: 'Nu am găsit nicio firmă cu acest nume sau număr în registru.',
    askName: 'Mulțumesc. Care sunt prenumele și numele de familie?',
  },
  nl: {
    askEmail: 'Graag! Wat is je e-mailadres en je naam, zodat een collega contact met je kan opnemen?',
    leadDone: 'Dank je! Ik heb genoteerd wat je nodig hebt; een collega van verkoop neemt contact met je op.',
    handedOff: 'Ik heb een collega gevraagd het over te nemen; die antwoordt hier binnenkort.',
    noKnowledge: 'Ik heb dat niet in onze documenten gevonden; een collega kan je helpen als je erom vraagt.',
    noCompany: 'Ik heb geen bedrijf met die naam of dat nummer in het register gevonden.',
    askName: 'Dank je. Wat zijn de voornaam en de achternaam?',
  },
};

const words = (t: string) =>
  new Set(
    t
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length >= 4),
  );

/** The passage sentence sharing the most words with the question: how the demo "reads" documents. */
export function bestSentence(question: string, passages: string[]): string {
  const asked = words(question);
  const sentences = passages
    .flatMap((p) => p.split(/(?<=[.!?])\s+|\n+/))
    .filter((s) => /\p{L}/u.test(s) && !s.startsWith('#'));
  const overlap = (s: string) => [...words(s)].filter((w) => asked.has(w)).length;
  return sentences.reduce((best, s) => (overlap(s) > overlap(best) ? s : best), sentences[0] ?? '').trim();
}
