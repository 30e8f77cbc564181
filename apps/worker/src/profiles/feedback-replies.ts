import type { FeedbackKind } from '@app/audit';
import type { QuickReply } from '../hubspot/hubspot.types';
import { normalizeChatText } from '../threads/handoff-intent';
import type { AssistantProfile } from './assistant-profile';
import { textsFor, type FixedTexts } from './fixed-texts';
import { LANGUAGES } from './language';

/** The two feedback buttons under an answer, in the thread's language (a tap sends the label). */
export function feedbackQuickReplies(texts: FixedTexts): QuickReply[] {
  return [
    { label: texts.feedbackHelped, value: texts.feedbackHelped, valueType: 'TEXT' },
    { label: texts.feedbackMoreHelp, value: texts.feedbackMoreHelp, valueType: 'TEXT' },
  ];
}

/**
 * Which feedback button a visitor's message taps, in any of the profile's languages (typed alike:
 * any case, with or without diacritics or punctuation). The buttons' labels are the profile's
 * texts, so a profile that renames them is matched by its own words.
 */
export function tappedFeedback(profile: Pick<AssistantProfile, 'texts'>, text: string): FeedbackKind | undefined {
  const typed = normalizeChatText(text);
  if (!typed) return undefined;
  for (const language of LANGUAGES) {
    const texts = textsFor(profile, language);
    if (normalizeChatText(texts.feedbackHelped) === typed) return 'helped';
    if (normalizeChatText(texts.feedbackMoreHelp) === typed) return 'more_help';
  }
  return undefined;
}

/** Is the Nth answer of a thread (1-based) one that offers the buttons? Every Nth; 0 = never. */
export const offersFeedback = (answerNumber: number, everyN: number) => everyN > 0 && answerNumber % everyN === 0;
