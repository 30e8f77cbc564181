import { z } from 'zod';

const required = { error: 'is required' } as const;

/** Builders for environment variables (values are strings; blanks are stripped by loadConfig). */
export const env = {
  string: () => z.string(required),
  secret: (minLength: number) => z.string(required).min(minLength, `must be at least ${minLength} characters`),
  int: (min: number, max: number) =>
    z
      .string(required)
      .regex(/^-?\d+$/, 'must be an integer')
      .transform(Number)
      .pipe(z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`)),
  decimal: (min: number, max: number) =>
    z
      .string(required)
      .regex(/^\d+(\.\d+)?$/, 'must be a number')
      .transform(Number)
      .pipe(z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`)),
  port: () => env.int(1, 65535),
  url: (protocols: string[]) =>
    z
      .string(required)
      .refine(
        (v) => URL.canParse(v) && protocols.includes(new URL(v).protocol),
        `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      ),
  enum: <T extends readonly [string, ...string[]]>(values: T) =>
    z
      .string(required)
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` })),
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables every process reads. */
export const baseEnvSchema = z.object({
  LOG_LEVEL: env.enum(LOG_LEVELS).default('info'),
  REDIS_URL: env.url(['redis:', 'rediss:']),
});
