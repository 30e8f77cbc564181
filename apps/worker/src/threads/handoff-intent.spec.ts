import { SUPPORT_PROFILE } from '../profiles/default-profiles';
import { asksForPerson, normalizeChatText } from './handoff-intent';

const phrases = SUPPORT_PROFILE.handoffPhrases;

// Requests for a person: hand off without a model call.
const REQUESTS = [
  // English
  'Can I talk to a human?',
  'can i talk to a human',
  'I want to speak to a real person',
  'Can I speak with someone please',
  'I need to talk to an agent.',
  'let me talk to a human!!!',
  'Please connect me to an agent',
  'Transfer me to a human please',
  'put me through to a representative',
  'I want a human',
  'I need a real person',
  "I'd like to speak to someone",
  'can I get a human',
  'Can I have a real person?',
  'human please',
  'Agent!',
  'operator',
  'A real person please',
  'I would like to talk to a person',
  'talk to someone',
  'I want to chat with a live agent 🙏',
  'SPEAK TO A HUMAN',
  'could I talk with your colleague?',
  'i wanna talk to a person',
  'connect me with someone',
  'can i talk to somebody',
  // Romanian, with and without diacritics
  'vreau să vorbesc cu un om',
  'vreau sa vorbesc cu un om',
  'Vreau să vorbesc cu cineva',
  'aș vrea să vorbesc cu un operator',
  'as vrea sa vorbesc cu o persoana reala',
  'doresc să discut cu un coleg',
  'Pot să vorbesc cu un consultant?',
  'operator uman',
  'Vreau un om real',
  'vreau o persoană reală',
  'mă puteți transfera la un operator?',
  'ma puteti pune in legatura cu cineva',
  'om real',
  'Operator, vă rog',
  'putem vorbi cu un agent?',
  'aș dori să vorbesc cu un reprezentant',
  'VREAU SĂ VORBESC CU UN OM!!',
  // Dutch
  'ik wil een medewerker spreken',
  'Ik wil graag een medewerker spreken',
  'Kan ik met een mens praten?',
  'mag ik iemand spreken',
  'ik zou graag met een echte persoon praten',
  'kan ik even met een medewerker bellen',
  'spreek ik met een medewerker?',
  'kunt u mij doorverbinden met een collega',
  'medewerker alstublieft',
  'Ik wil met iemand praten',
];

// Ordinary sentences that contain such a word: answered normally (the model decides).
const ORDINARY = [
  // English
  'We work in human resources',
  'Do you have a human resources department?',
  'Our sales agent told me about you',
  'Who is the operator of this website?',
  'The tour operator cancelled my trip',
  'I am a person who likes details',
  'My colleague recommended your company',
  'Is there someone at the office on Monday?',
  'What does an insurance agent cost?',
  'human error caused the invoice mistake',
  'The person I spoke with yesterday was helpful',
  'Which agent handles VAT registrations?',
  'Find the company with CUI 14837428',
  'hello',
  'ok',
  'Thanks, that helps a lot',
  'Can I talk about pricing?',
  'I want to speak about my order',
  // Romanian
  'Caut operatorul economic cu CUI 14837428',
  'caut operatorul economic cu CUI 14837428',
  'Un coleg mi-a recomandat firma voastră',
  'un coleg mi a recomandat firma',
  'Care este operatorul de date?',
  'Sunt om de afaceri din Cluj',
  'Firma are un agent de vânzări în Iași?',
  'Vreau să vorbesc despre factura mea',
  'vreau sa vorbim despre pret',
  'Persoana de contact este Ana',
  'Cineva de la voi m-a sunat ieri',
  'operatori economici din Brașov',
  'da',
  'mulțumesc',
  'Am nevoie de informații despre firma SC Exemplu SRL',
  'Resurse umane',
  'agentul economic plătitor de TVA',
  // Dutch
  'Een collega heeft jullie aangeraden',
  'Ik ben een mens die graag leest',
  'Wie is de medewerker van de maand?',
  'Ik wil een offerte',
  'Kan ik met iDEAL betalen?',
  'ja',
  'Mijn agent regelt de verzekering',
  'Ik wil graag over mijn bestelling praten',
  'Onze vertegenwoordiger komt morgen langs',
];

describe('handoff intent', () => {
  it('the table holds at least 80 sentences in three languages', () => {
    expect(REQUESTS.length + ORDINARY.length).toBeGreaterThanOrEqual(80);
  });

  it.each(REQUESTS)('hands off: %s', (text) => {
    expect(asksForPerson(text, phrases)).toBe(true);
  });

  it.each(ORDINARY)('answers normally: %s', (text) => {
    expect(asksForPerson(text, phrases)).toBe(false);
  });

  it("a profile's extra phrases match as whole words, whatever the case and diacritics", () => {
    expect(asksForPerson('Vreau la VÂNZĂRI!', ['vanzari'])).toBe(true);
    expect(asksForPerson('vanzarile merg bine', ['vanzari'])).toBe(false);
  });

  it('normalizes case, diacritics, punctuation and emoji', () => {
    expect(normalizeChatText('  Vreau SĂ vorbesc, cu un om!! 🙏 ')).toBe('vreau sa vorbesc cu un om');
  });
});
