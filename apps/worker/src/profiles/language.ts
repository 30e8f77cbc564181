/** Languages every fixed text exists in (a profile may override texts per language). */
export const LANGUAGES = ['en', 'ro', 'nl'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A language code or locale (`ro`, `ro-RO`, `nl_BE`, HubSpot's `hs_language` like `en-gb`), if supported. */
export function asLanguage(value: string | undefined): Language | undefined {
  const code = value?.trim().toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(code ?? '') ? (code as Language) : undefined;
}

/** English names, for the model's instructions. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ro: 'Romanian', nl: 'Dutch' };

/**
 * The line that tells the model which language to answer in. Appended at the end of the
 * instructions: the profile's instructions stay a shared prefix, and a thread's language is sticky,
 * so the whole prompt prefix stays the same from one turn of a thread to the next (prompt caching).
 */
export function languageInstruction(language: Language): string {
  const name = LANGUAGE_NAMES[language];
  return `The visitor's language is ${name}: answer in ${name} unless the visitor writes in another language.`;
}

/** The profile's instructions with the language line at the end. */
export function instructionsFor(instructions: string, language: Language): string {
  return `${instructions}\n\n${languageInstruction(language)}`;
}
