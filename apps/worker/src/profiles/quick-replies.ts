import { normalizeChatText } from '../threads/handoff-intent';
import type { AssistantProfile, ProfileQuickReply } from './assistant-profile';
import { LANGUAGES, type Language } from './language';

/**
 * The button a visitor's message taps, in any of the profile's languages (a tap sends the label; a
 * visitor may type it or the value, in any case, with or without diacritics, punctuation or emoji).
 * With `language`, that button's twin (same value) in that language when it has one: a visitor may
 * tap a Romanian button in a thread that is English by now.
 */
export function tappedQuickReply(
  profile: AssistantProfile,
  text: string,
  language?: Language,
): ProfileQuickReply | undefined {
  const typed = normalizeChatText(text);
  if (!typed) return undefined;
  const tapped = LANGUAGES.flatMap((l) => profile.welcome[l].quickReplies).find(
    (q) => normalizeChatText(q.label) === typed || normalizeChatText(q.value) === typed,
  );
  if (!tapped || !language) return tapped;
  return profile.welcome[language].quickReplies.find((q) => q.value === tapped.value) ?? tapped;
}
