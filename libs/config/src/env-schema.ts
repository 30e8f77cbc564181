import { isIP } from 'node:net';
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
  bool: () =>
    z
      .string(required)
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(['true', 'false'], { error: 'must be true or false' }))
      .transform((v) => v === 'true'),
  url: (protocols: string[]) =>
    z
      .string(required)
      .refine(
        (v) => URL.canParse(v) && protocols.includes(new URL(v).protocol),
        `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      ),
  /** Comma-separated IP addresses or CIDR ranges (`10.0.0.0/8`, `::1`); blank = none. */
  addressList: () =>
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .refine((list) => list.every(isAddressOrCidr), 'must be comma-separated IP addresses or CIDR ranges'),
  enum: <T extends readonly [string, ...string[]]>(values: T) =>
    z
      .string(required)
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` })),
};

function isAddressOrCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Loopback hosts, where plain http never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/**
 * Refines an object schema: each named URL variable must be https:, or http: on a loopback host,
 * or http: anywhere when `allowInsecureKey` is true (tests against fakes). Tokens travel in these
 * requests; a typo must not send them in clear.
 */
export function requireSecureUrls<T extends Record<string, unknown>>(
  names: readonly (keyof T & string)[],
  allowInsecureKey: keyof T & string,
) {
  return (values: T, ctx: z.RefinementCtx): void => {
    if (values[allowInsecureKey] === true) return;
    for (const name of names) {
      const value = values[name];
      if (typeof value !== 'string' || !URL.canParse(value)) continue;
      const url = new URL(value);
      if (url.protocol === 'https:' || isLoopbackHost(url.hostname)) continue;
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `must use https:// (plain http:// is allowed only for localhost/127.0.0.1/[::1]); fix the URL, or set ${allowInsecureKey}=true for a test setup`,
      });
    }
  };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables every process reads. */
export const baseEnvSchema = z.object({
  LOG_LEVEL: env.enum(LOG_LEVELS).default('info'),
  REDIS_URL: env.url(['redis:', 'rediss:']),
});
