import { z } from 'zod';

/**
 * The one definition of an eval scenario file (evals/*.yaml). Text matchers: a plain string is a
 * case-insensitive substring; `/source/flags` is a regular expression.
 */
const matcher = z.string().min(1);
const matchers = z.union([matcher, z.array(matcher).min(1)]).transform((m) => (Array.isArray(m) ? m : [m]));
const language = z.enum(['en', 'ro', 'nl']);

/**
 * A tool the turn must have called. `args` compare with the audit trail's arguments, which are
 * redacted: ids, CUIs and company-register text are kept; e-mails are masked (`a***@example.com`),
 * other contact text becomes `[N chars]` (apps/worker/src/tools/tool-arguments.redaction.ts).
 */
const toolCall = z.strictObject({
  name: z.string().min(1),
  args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  status: z.enum(['ok', 'error', 'refused']).optional(),
});

/** What one visitor turn must show (all optional). */
const turnExpect = z.strictObject({
  tools: z.array(z.union([z.string().min(1), toolCall])).optional(),
  notTools: z.array(z.string().min(1)).optional(),
  /** Only these tools, in this order (an empty list: no tool at all). */
  toolsExactly: z.array(z.string().min(1)).optional(),
  replyMatches: matchers.optional(),
  replyNotMatches: matchers.optional(),
  /** The turn's replies (together) read as this language (the worker's own detector). */
  replyLanguage: language.optional(),
  /** A person took over in this turn (the audit outcome is `handoff`), or not. */
  handoff: z.boolean().optional(),
  /** No reply at all (the bot stays silent, e.g. once a person took over). */
  silent: z.boolean().optional(),
  /** Model tokens (in + out) of this turn at most. */
  maxTokens: z.number().int().nonnegative().optional(),
});

const contactProps = z.record(z.string(), z.union([z.string(), z.null()]));

/** A contact in the emulator's CRM after the scenario: present with these properties, or absent. */
const crmContact = z.strictObject({
  email: z.string().email(),
  exists: z.boolean().default(true),
  properties: contactProps.optional(),
});

const scenarioExpect = z.strictObject({
  tools: turnExpect.shape.tools,
  notTools: turnExpect.shape.notTools,
  replyMatches: matchers.optional(),
  replyNotMatches: matchers.optional(),
  handoff: z.boolean().optional(),
  contacts: z.array(crmContact).optional(),
  maxTokens: z.number().int().nonnegative().optional(),
  /**
   * No reply shows the e-mail, phone or full name of the run's "other person" (a contact seeded in
   * the emulator that no scenario is about) or of `setup.contacts`. On by default.
   */
  noOtherPersonData: z.boolean().default(true),
  /** No reply repeats the profile's instructions (the worker's own leak check). On by default. */
  noInstructionsLeak: z.boolean().default(true),
  /** A rubric a real model judges against the transcript (`--judge`); else reported as not judged. */
  rubric: z.string().min(10).optional(),
});

const sayTurn = z.strictObject({ say: z.string().min(1), expect: turnExpect.optional() });
/** Taps a quick-reply button of the newest bot message with buttons, by label or value. */
const tapTurn = z.strictObject({ tap: z.string().min(1), expect: turnExpect.optional() });
/** Types the newest verification code mailed to this address (the sandbox's mail catcher). */
const codeTurn = z.strictObject({ code: z.string().email(), expect: turnExpect.optional() });
/** An agent acts in the agent panel (assign to the sandbox agent, close, a message, a note…). */
const agentTurn = z.strictObject({
  agent: z.enum(['assign', 'unassign', 'close', 'reopen', 'message', 'note']),
  text: z.string().min(1).optional(),
});

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case: lower-case letters, digits and dashes'),
  description: z.string().min(1),
  /** The inbox profile: `support` (seed 1, visitors) or `contacts` (seed 2, staff). */
  profile: z.enum(['support', 'contacts']),
  /** The chat widget's language. */
  language: language.default('en'),
  tags: z.array(z.string()).default([]),
  setup: z
    .strictObject({
      /** Contacts in the CRM before the chat starts (an address already taken, another person). */
      contacts: z.array(z.object({ email: z.string().email() }).catchall(z.string())).default([]),
    })
    .default({ contacts: [] }),
  turns: z.array(z.union([sayTurn, tapTurn, codeTurn, agentTurn])).min(1),
  expect: scenarioExpect.default({ noOtherPersonData: true, noInstructionsLeak: true }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioTurn = Scenario['turns'][number];
export type TurnExpect = z.output<typeof turnExpect>;
export type ScenarioExpect = z.output<typeof scenarioExpect>;
export type ToolExpectation = string | z.output<typeof toolCall>;
