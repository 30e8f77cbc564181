import type { QuickReply } from '../hubspot/hubspot.types';
import type { TextOverrides } from './fixed-texts';
import type { Language } from './language';

/** A quick-reply button; a tap arrives as a visitor message whose text is its label or value. */
export interface ProfileQuickReply extends QuickReply {
  /** Posted when the button is tapped: confirms the action and asks for the first field. */
  confirmation: string;
}

/** Posted when a chat opens: a text and its quick-reply buttons (the same `value`s in every language). */
export interface ProfileWelcome {
  text: string;
  quickReplies: ProfileQuickReply[];
}

/** How the assistant behaves in one kind of inbox. */
export interface AssistantProfile {
  name: string;
  instructions: string;
  /** Tool allow-list (names from the ToolRegistry). */
  tools: string[];
  /** `visitor`: contact tools act on the visitor's own contact only; `staff`: on any contact. */
  scope: 'visitor' | 'staff';
  /** Only identified contacts whose e-mail domain is on STAFF_EMAIL_DOMAINS may use it. */
  staffOnly: boolean;
  /** The welcome in each language (chosen by the language of the visitor's first message). */
  welcome: Record<Language, ProfileWelcome>;
  /** Fixed texts this profile changes, per language (profiles/fixed-texts.ts has the catalogue). */
  texts?: TextOverrides;
  /** Extra phrases that hand the chat to a person without the model (whole words; threads/handoff-intent.ts). */
  handoffPhrases: string[];
  /**
   * HubSpot channel ids the bot answers on (1000 live chat, 1001 Facebook Messenger; 1002 e-mail and
   * 1007 WhatsApp are left to people). Unset: ANSWER_CHANNELS.
   */
  channels?: string[];
  /**
   * A message with only a picture or a file: `answer` (default) says in the visitor's language what
   * the assistant can do; `handoff` hands the chat to a person (documents a colleague must see).
   */
  attachmentOnly?: 'answer' | 'handoff';
  /** The language of fixed texts until the thread's own language is known (default en). */
  language?: Language;
  /** History bound: server-side compaction threshold in tokens (≥ 1000). */
  compactThreshold: number;
  /**
   * History bound of engines that keep the transcript themselves (Chat Completions): the most
   * earlier messages and tokens sent with each model call; the current turn is always sent whole.
   */
  history: { messages: number; tokens: number };
}
