import { FIXED_TEXTS } from '../profiles/fixed-texts';

// English, as shipped; a turn posts its thread's language (textsFor(profile, language)).
/** After a turn failed for good; true because the thread then goes to a person. */
export const FALLBACK_ANSWER = FIXED_TEXTS.en.fallback;
/** When the model gave no usable answer this time (incomplete, a limit hit): the bot stays on the thread. */
export const NO_ANSWER_TEXT = FIXED_TEXTS.en.noAnswer;
