/**
 * Does a visitor's message explicitly ask for a person? Only a request hands off without the model
 * ("can I talk to a human", "vreau să vorbesc cu un om", "ik wil een medewerker spreken"); a
 * sentence that merely contains such a word ("operatorul economic", "human resources", "un coleg
 * mi-a recomandat firma", "our sales agent") is answered normally, and anything ambiguous is left
 * to the model's hand_off_to_human tool. Case, diacritics and punctuation do not matter.
 */

/** Lower case, no diacritics (ș → s, ă → a), punctuation and emoji as spaces, single spaces. */
export function normalizeChatText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const PERSON_EN =
  '(?:a |an |the |some |your )?(?:real |live |actual )?(?:human(?: being)?|person|agent|operator|someone|somebody|representative|rep|colleague|staff(?: member)?|support agent)';
const PERSON_RO =
  '(?:un |o |cu un |cu o )?(?:om|persoana|operator|coleg|colega|cineva|agent|consultant|reprezentant|angajat)(?: real| reala| uman| umana)?';
const PERSON_NL = '(?:een |de |het )?(?:echte )?(?:medewerker|mens|persoon|agent|iemand|collega|vertegenwoordiger)';

/** Requests for a person, on normalized text (see normalizeChatText). */
const REQUESTS: RegExp[] = [
  // English
  new RegExp(`\\b(?:talk|speak|chat)(?: to| with) ${PERSON_EN}\\b`),
  new RegExp(`\\b(?:connect|transfer|put|pass) me (?:to|with|through to|on to) ${PERSON_EN}\\b`),
  new RegExp(
    `\\bi (?:want|need|would like|d like|wanna) (?:a |an |to (?:talk|speak) to (?:a |an )?)?(?:real |live )?(?:human|real person|live agent|agent|operator|person)\\b`,
  ),
  new RegExp(`\\bcan i (?:get|have) (?:a |an )?(?:real |live )?(?:human|person|agent|operator)\\b`),
  /^(?:a |an )?(?:real |live )?(?:human|person|agent|operator)(?: please| pls| now)?$/,
  // Romanian (after normalization: "să" → "sa", "persoană" → "persoana")
  new RegExp(
    `\\b(?:vreau|as vrea|doresc|pot|putem|as dori) (?:sa )?(?:vorbesc|vorbi|vorbim|discut|discuta|discutam) (?:si )?(?:cu )?${PERSON_RO}\\b`,
  ),
  /\b(?:vreau|doresc|as vrea|as dori) (?:un |o )?(?:om|persoana|operator|agent) (?:real|reala|uman|umana)\b/,
  /\b(?:operator|om) uman\b/,
  /\bma (?:puteti|poti) (?:transfera|conecta|pune in legatura|trece) (?:la|cu)\b/,
  /^(?:un |o )?(?:om|operator|persoana|agent)(?: real| reala| uman)?(?: va rog| te rog)?$/,
  // Dutch
  new RegExp(
    `\\b(?:ik wil|ik zou graag|kan ik|mag ik|ik wil graag)(?: graag)? (?:met |even met )?${PERSON_NL} (?:spreken|praten|bellen)\\b`,
  ),
  new RegExp(`\\b(?:spreek|praat|spreken|praten)(?: ik)? (?:met |even met )${PERSON_NL}\\b`),
  /\b(?:doorverbinden|doorverbonden) (?:met|naar)\b/,
  /^(?:een )?(?:medewerker|mens)(?: alstublieft| aub| graag)?$/,
];

/** Extra phrases of a profile (PROFILES_FILE `handoffPhrases`): matched as whole words, normalized alike. */
function phraseMatches(text: string, phrase: string): boolean {
  const wanted = normalizeChatText(phrase);
  return wanted.length > 0 && ` ${text} `.includes(` ${wanted} `);
}

export function asksForPerson(messageText: string, extraPhrases: readonly string[] = []): boolean {
  const text = normalizeChatText(messageText);
  if (text.length === 0) return false;
  return REQUESTS.some((pattern) => pattern.test(text)) || extraPhrases.some((p) => phraseMatches(text, p));
}
