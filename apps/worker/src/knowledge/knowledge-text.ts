import { normalizeChatText } from '../threads/handoff-intent';

// Words that say nothing about a topic, in the three languages the assistant speaks (folded).
const STOPWORDS = new Set(
  [
    // English
    'a an and are as at be been but by can could do does did for from had has have how i if in into is it its',
    'me my no not of on or our so than that the their them then there these they this to us was we were what',
    'when where which who why will with would you your yours about any some please',
    // Romanian (diacritics folded)
    'si sa se de la in pe cu din pentru care ce cum cand unde este sunt eu tu el ea noi voi ei ele un o al ai',
    'ale lui mai nu da ca ar fi am ati au sau dar iar va vom mi ma te va ne le li il imi iti ne va acest aceasta',
    'aceste acel acea cat ceea fost foarte poate puteti pot vreau vrea va rog buna ziua',
    // Dutch
    'de het een en van ik je jij u hij zij wij we jullie ze is zijn was waren op aan met voor naar uit bij',
    'dat die dit deze niet geen wel ook maar of als dan om te er hoe wat wie waar wanneer waarom kan kunt mijn',
    'uw onze heb hebt heeft hebben word wordt worden graag alstublieft',
  ]
    .join(' ')
    .split(' '),
);

// Endings stripped (one, the longest that leaves ≥ 3 letters) so "livrare/livrarea/livrari",
// "delivery/deliveries" and "bezorging/bezorgen" meet: a light stem, the same for documents and questions.
const SUFFIXES = [
  'urilor',
  'ilor',
  'elor',
  'ului',
  'iile',
  'heden',
  'ities',
  'ation',
  'ingen',
  'ings',
  'ies',
  'ing',
  'ele',
  'ile',
  'uri',
  'lor',
  'ers',
  'ly',
  'ul',
  'ea',
  'ii',
  'le',
  'en',
  'es',
  'ed',
  'er',
  'y',
  'a',
  'e',
  'i',
  's',
].sort((a, b) => b.length - a.length);

/** Lower case, diacritics folded (ș → s, ă → a, é → e), punctuation as spaces. */
export const foldText = normalizeChatText;

/** One word's index form: folded, without a common ending; '' for stopwords and single letters. */
export function indexTerm(word: string): string {
  const folded = foldText(word);
  if (folded.length < 2 || STOPWORDS.has(folded)) return '';
  if (/^\d+$/.test(folded)) return folded;
  const suffix = SUFFIXES.find((s) => folded.endsWith(s) && folded.length - s.length >= 3);
  return suffix ? folded.slice(0, -suffix.length) : folded;
}

/** The index terms of a text, in order (stopwords dropped). */
export function indexTerms(text: string): string[] {
  return foldText(text)
    .split(' ')
    .map(indexTerm)
    .filter((t) => t !== '');
}
