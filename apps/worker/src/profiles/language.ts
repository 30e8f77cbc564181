/** Languages every fixed text exists in (a profile may override texts per language). */
export const LANGUAGES = ['en', 'ro', 'nl'] as const;
export type Language = (typeof LANGUAGES)[number];

export function asLanguage(value: string | undefined): Language | undefined {
  const code = value?.trim().toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(code ?? '') ? (code as Language) : undefined;
}
