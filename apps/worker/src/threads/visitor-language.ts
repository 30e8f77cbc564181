import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { AssistantProfile } from '../profiles/assistant-profile';
import { LANGUAGES, asLanguage, type Language } from '../profiles/language';
import { tappedQuickReply } from '../profiles/quick-replies';
import type { ThreadRef } from '../mapping/thread-mapping.service';
import type { ResolvedThread } from './thread-context.service';
import { ThreadStateStore, type ThreadState } from './thread-state.store';

/** The fewest words a message needs to set or switch its thread's language ("da", "ok" never do). */
export const MIN_WORDS = 2;
/** How far the best language's score must lead the runner-up's (eld scores run 0…1). */
export const MIN_LEAD = 0.05;

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const URL = /(?:\bhttps?:\/\/|\bwww\.)\S+/giu;
const DOMAIN = /\S*\p{L}\.\p{L}{2,}\S*/gu; // firma.ro, acme.com/contact
// CUIs (RO12345678), phone numbers, codes, amounts: a token with a digit is no word of any language.
const WITH_DIGIT = /\S*\p{N}\S*/gu;
const WORD = /\p{L}[\p{L}\p{M}'’-]*/gu;

/**
 * The part of a message that is language: without e-mail addresses, links, tokens with digits, and
 * capitalised words inside a sentence — names ("find Popescu", "Dedeman SRL") that would otherwise
 * decide a short text; English "I" stays.
 */
export function languageText(text: string): string {
  let plain = text.replace(EMAIL, ' ').replace(URL, ' ').replace(DOMAIN, ' ').replace(WITH_DIGIT, ' ');
  // A message written in capitals ("VREAU SĂ VORBESC CU UN OM") has no names to tell apart.
  const upper = plain.match(/\p{Lu}/gu)?.length ?? 0;
  if (upper > 1 && upper >= 0.6 * (plain.match(/\p{L}/gu)?.length ?? 0)) plain = plain.toLowerCase();
  const kept: string[] = [];
  let sentenceStart = true;
  for (const token of plain.split(/\s+/).filter(Boolean)) {
    const name = !sentenceStart && /^\p{Lu}/u.test(token) && !/^I(?:['’]\p{L}+)?\p{P}*$/u.test(token);
    if (!name) kept.push(token);
    if (/\p{L}|\p{N}/u.test(token)) sentenceStart = /[.!?…]$/.test(token);
  }
  return kept.join(' ');
}

export function countWords(text: string): number {
  return languageText(text).match(WORD)?.length ?? 0;
}

/** The thread's language for fixed texts: detected (sticky), else the contact's hs_language, else the profile's, else English. */
export function languageOf(state: ThreadState, profile: AssistantProfile): Language {
  return asLanguage(state.language) ?? asLanguage(state.contactLanguage) ?? profile.language ?? 'en';
}

export function threadLanguage(thread: ResolvedThread): Language {
  return languageOf(thread.state, thread.profile);
}

interface EldResult {
  language: string;
  getScores(): Record<string, number>;
  isReliable(): boolean;
}
interface Eld {
  detect(text: string): EldResult;
  setLanguageSubset(languages: string[] | false): unknown;
}

let loading: Promise<Eld> | undefined;

/**
 * eld (Apache-2.0) ships ESM only and exports it under the `import` condition alone, so a
 * `require` cannot reach it: a real dynamic import loads it (rspack is told to leave it to Node;
 * Jest loads it as ESM under --experimental-vm-modules). The `small` database: on short chat texts
 * in en/ro/nl it scores like `medium` and `large` (threads/visitor-language.spec.ts) in ~45 MB of
 * heap instead of ~60 / ~135 MB. Loaded once per process.
 */
function loadEld(): Promise<Eld> {
  loading ??= import(/* webpackIgnore: true */ 'eld/small').then(({ eld }) => {
    const detector = eld as unknown as Eld;
    // Scores only our languages: a Romanian text without diacritics is never Italian here.
    detector.setLanguageSubset([...LANGUAGES]);
    return detector;
  });
  return loading;
}

/** Short-text language detection over en/ro/nl. */
export class LanguageDetector {
  private constructor(private readonly eld: Eld) {}

  static async load(): Promise<LanguageDetector> {
    return new LanguageDetector(await loadEld());
  }

  /**
   * The language a visitor's text is written in, when it shows one: at least MIN_WORDS words
   * (addresses, links, CUIs and numbers do not count), a reliable result, and a clear lead.
   */
  detect(text: string): Language | undefined {
    const words = languageText(text);
    if ((words.match(WORD)?.length ?? 0) < MIN_WORDS) return undefined;
    const result = this.eld.detect(words);
    const language = asLanguage(result.language);
    if (!language || !result.isReliable()) return undefined;
    const [best = 0, second = 0] = Object.values(result.getScores()).sort((a, b) => b - a);
    return best - second >= MIN_LEAD ? language : undefined;
  }
}

/**
 * The visitor's language, per thread. A message of at least two words with a clear language sets
 * the thread's language (stored in its state); anything shorter or unclear ("da", "ok", a CUI, an
 * address) keeps the one it has. Until a message shows one: the contact's hs_language, the
 * profile's `language`, English (languageOf).
 */
@Injectable()
export class VisitorLanguage implements OnModuleInit {
  private detector?: LanguageDetector;

  constructor(private readonly threadState: ThreadStateStore) {}

  async onModuleInit(): Promise<void> {
    this.detector = await LanguageDetector.load();
  }

  detect(text: string): Language | undefined {
    if (!this.detector) throw new Error('the language detector is not loaded yet');
    return this.detector.detect(text);
  }

  /**
   * A visitor's message read in `thread`: its language becomes the thread's when it shows one.
   * A quick-reply tap is our own text, not the visitor's: it changes nothing.
   */
  async observe(ref: ThreadRef, thread: ResolvedThread, text: string): Promise<ResolvedThread> {
    if (tappedQuickReply(thread.profile, text)) return thread;
    const detected = this.detect(text);
    if (!detected || detected === thread.state.language) return thread;
    await this.threadState.set(ref, { language: detected });
    return { ...thread, state: { ...thread.state, language: detected } };
  }
}
