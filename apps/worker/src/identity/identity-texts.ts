import { FIXED_TEXTS, codeWrongText, type FixedTexts } from '../profiles/fixed-texts';
import type { Language } from '../profiles/language';

// The languages live with the profiles (a lower layer); re-exported for the identity texts' users.
export { LANGUAGES, asLanguage, type Language } from '../profiles/language';

type IdentityTextKey =
  | 'codeAccepted'
  | 'codeExpired'
  | 'codeLocked'
  | 'staffPrompt'
  | 'staffCodeSent'
  | 'staffVerified'
  | 'staffUnavailable'
  | 'codesRateLimited'
  | 'visitorLimit'
  | 'paidToolsPaused'
  | 'attachmentOnly'
  | 'dailyLimit';

/** The identity and limit texts in one language (the shipped ones; a profile may override them). */
export interface IdentityTexts extends Pick<FixedTexts, IdentityTextKey> {
  mailSubject: string;
  mailBody(code: string, minutes: number): string;
  codeWrong(attemptsLeft: number): string;
}

/** The verification mail. Sent from the identity services, which know the language, not the profile. */
const MAIL: Record<Language, Pick<IdentityTexts, 'mailSubject' | 'mailBody'>> = {
  en: {
    mailSubject: 'Your verification code',
    mailBody: (code, minutes) =>
      `Your verification code is ${code}\n\nType it in the chat to confirm that this e-mail address is yours. ` +
      `It is valid for ${minutes} minutes.\n\nIf you did not ask for a code, you can ignore this e-mail.`,
  },
  ro: {
    mailSubject: 'Codul tău de verificare',
    mailBody: (code, minutes) =>
      `Codul tău de verificare este ${code}\n\nScrie-l în chat pentru a confirma că această adresă de e-mail îți aparține. ` +
      `Este valabil ${minutes} minute.\n\nDacă nu ai cerut un cod, poți ignora acest e-mail.`,
  },
  nl: {
    mailSubject: 'Je verificatiecode',
    mailBody: (code, minutes) =>
      `Je verificatiecode is ${code}\n\nTyp de code in de chat om te bevestigen dat dit e-mailadres van jou is. ` +
      `De code is ${minutes} minuten geldig.\n\nHeb je geen code aangevraagd, dan kun je deze e-mail negeren.`,
  },
};

function identityTexts(language: Language): IdentityTexts {
  const texts = FIXED_TEXTS[language];
  return { ...texts, ...MAIL[language], codeWrong: (left) => codeWrongText(texts, left) };
}

/** What the visitor reads (and the verification mail) in each language, as shipped (profiles/fixed-texts.ts). */
export const IDENTITY_TEXTS: Record<Language, IdentityTexts> = {
  en: identityTexts('en'),
  ro: identityTexts('ro'),
  nl: identityTexts('nl'),
};
