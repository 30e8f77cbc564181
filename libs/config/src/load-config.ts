import type { z } from 'zod';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates the environment once and maps it into a typed config object.
 * Blank values count as unset (docker compose passes `VAR=` from .env as '').
 * Messages name the variable and the rule, never the value: it may be a secret.
 */
export function loadConfig<S extends z.ZodType, T>(
  schema: S,
  source: Record<string, string | undefined>,
  map: (env: z.output<S>) => T,
): T {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      return `${name} ${issue.message}`;
    });
    throw new ConfigValidationError(problems);
  }
  return map(parsed.data);
}

/**
 * For `main.ts`: load the config or stop the process with a message naming what is wrong (and
 * which app said so: compose's config-check runs both apps' checks in one log).
 */
export function loadConfigOrExit<T>(load: () => T, app?: string): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      const hint = 'Set these in .env (each is described in .env.example), then start again.';
      process.stderr.write(`${app ? `${app}: ` : ''}${err.message}\n${hint}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** `main.js --check-config`: validate the environment, say so, start nothing (docker-compose.yml's config-check). */
export function isConfigCheck(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--check-config');
}

export function reportConfigOk(app: string): void {
  process.stdout.write(`${app}: configuration OK\n`);
}

/** The problems a loader reports for `env` (for tests); throws when the config is valid. */
export function configProblems(load: (env: Record<string, string>) => unknown, env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
}
