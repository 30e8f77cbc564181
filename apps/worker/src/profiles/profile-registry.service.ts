import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ProfilesConfig } from '../config/config-sections';
import { LANGUAGES, type Language } from './language';
import type { AssistantProfile, ProfileWelcome } from './assistant-profile';
import { DEFAULT_PROFILES } from './default-profiles';
import { TEXT_KEYS, type FixedTexts, type TextOverrides } from './fixed-texts';

const quickReply = z.object({
  label: z.string().min(1).max(100),
  value: z.string().min(1).max(100),
  valueType: z.enum(['TEXT', 'URL']).default('TEXT'),
  confirmation: z.string().min(1).max(1000),
});

const welcome = z.object({ text: z.string().min(1).max(2000), quickReplies: z.array(quickReply).max(10) });

/** `{ en: …, ro: …, nl: … }`, each optional. */
function perLanguage<T extends z.ZodType>(schema: T) {
  return z
    .object(Object.fromEntries(LANGUAGES.map((l) => [l, schema.optional()])) as Record<Language, z.ZodOptional<T>>)
    .strict();
}

// Any fixed text of the catalogue (profiles/fixed-texts.ts), by its key.
const textOverrides = z
  .object(
    Object.fromEntries(TEXT_KEYS.map((key) => [key, z.string().min(1).max(2000).optional()])) as Record<
      keyof FixedTexts,
      z.ZodOptional<z.ZodString>
    >,
  )
  .strict();

// What PROFILES_FILE may change, per profile name (a new name defines a new profile from support).
const overrides = z.record(
  z.string().regex(/^[a-z0-9_-]+$/i),
  z
    .object({
      instructions: z.string().min(20).optional(),
      tools: z.array(z.string()).optional(),
      scope: z.enum(['visitor', 'staff']).optional(),
      staffOnly: z.boolean().optional(),
      // One welcome for every language, or one per language (a language left out keeps its own).
      welcome: z.union([welcome, perLanguage(welcome)]).optional(),
      texts: perLanguage(textOverrides).optional(),
      handoffPhrases: z.array(z.string().min(2)).optional(),
      channels: z.array(z.string().regex(/^\d+$/, 'must be a HubSpot channel id like 1000')).min(1).optional(),
      compactThreshold: z.number().int().min(1000).optional(),
      history: z
        .object({ messages: z.number().int().min(1).max(500), tokens: z.number().int().min(100).max(1_000_000) })
        .strict()
        .optional(),
      language: z.enum(LANGUAGES).optional(),
      attachmentOnly: z.enum(['answer', 'handoff']).optional(),
    })
    .strict(),
);

/** The shipped profiles, adjusted by PROFILES_FILE, and the inbox → profile choice. */
@Injectable()
export class ProfileRegistry {
  private readonly profiles = new Map<string, AssistantProfile>();

  constructor(private readonly config: ProfilesConfig) {
    for (const p of DEFAULT_PROFILES) this.profiles.set(p.name, p);
    if (config.file) this.applyFile(config.file);
    // HANDOFF_MESSAGE / CAP_MESSAGE: every language of every profile, under the profile's own texts.
    for (const p of this.profiles.values())
      this.profiles.set(p.name, { ...p, texts: withOperatorTexts(p, config.texts) });
    const unknown = [config.defaultProfile, ...Object.values(config.byInbox)].filter(
      (name) => !this.profiles.has(name),
    );
    if (unknown.length) {
      throw new Error(`unknown assistant profile(s) in DEFAULT_PROFILE / INBOX_PROFILES: ${unknown.join(', ')}`);
    }
  }

  /** Does a profile answer messages of this HubSpot channel? (Its `channels`, else ANSWER_CHANNELS.) */
  answersChannel(profile: AssistantProfile, channelId: string | undefined): boolean {
    // A message without a channel id is answered: HubSpot sets it on every chat message.
    return channelId === undefined || (profile.channels ?? this.config.answerChannels).includes(channelId);
  }

  get(name: string | undefined): AssistantProfile {
    return this.profiles.get(name ?? '') ?? this.profiles.get(this.config.defaultProfile)!;
  }

  /** The profile for a thread's inbox (INBOX_PROFILES), else DEFAULT_PROFILE. */
  forInbox(inboxId: string | undefined): AssistantProfile {
    return this.get((inboxId && this.config.byInbox[inboxId]) || this.config.defaultProfile);
  }

  private applyFile(path: string): void {
    let parsed: z.output<typeof overrides>;
    try {
      parsed = overrides.parse(JSON.parse(readFileSync(path, 'utf8')));
    } catch (err) {
      throw new Error(`PROFILES_FILE ${path} is invalid: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const [name, { welcome, texts, ...patch }] of Object.entries(parsed)) {
      const base = this.profiles.get(name) ?? { ...this.profiles.get('support')!, name };
      this.profiles.set(name, {
        ...base,
        ...patch,
        name,
        welcome: mergeWelcome(base.welcome, welcome),
        texts: mergeTexts(base.texts, texts),
      });
    }
  }
}

type WelcomePatch = ProfileWelcome | Partial<Record<Language, ProfileWelcome>> | undefined;

/** A plain welcome is that welcome in every language; a per-language one replaces only the languages it names. */
function mergeWelcome(base: Record<Language, ProfileWelcome>, patch: WelcomePatch): Record<Language, ProfileWelcome> {
  if (!patch) return base;
  if ('text' in patch) return Object.fromEntries(LANGUAGES.map((l) => [l, patch])) as Record<Language, ProfileWelcome>;
  return Object.fromEntries(LANGUAGES.map((l) => [l, patch[l] ?? base[l]])) as Record<Language, ProfileWelcome>;
}

function mergeTexts(base: TextOverrides | undefined, patch: TextOverrides | undefined): TextOverrides | undefined {
  if (!patch) return base;
  return Object.fromEntries(LANGUAGES.map((l) => [l, { ...base?.[l], ...patch[l] }]));
}

function withOperatorTexts(profile: AssistantProfile, operator: Partial<FixedTexts>): TextOverrides | undefined {
  if (Object.keys(operator).length === 0) return profile.texts;
  return Object.fromEntries(LANGUAGES.map((l) => [l, { ...operator, ...profile.texts?.[l] }]));
}
