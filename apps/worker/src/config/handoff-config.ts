import { z } from 'zod';
import { env } from '@app/config';
import { isTimeZone, parseBusinessHours, parseHolidays, type BusinessHours } from '../threads/business-hours';

export const OUTSIDE_HOURS_MODES = ['handoff', 'stay'] as const;
export type OutsideHoursMode = (typeof OUTSIDE_HOURS_MODES)[number];

/** A parser that turns its thrown message into the variable's validation problem. */
function parsed<T>(parse: (value: string) => T) {
  return env.string().transform((value, ctx) => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

/** The handoff variables (merged into the worker's schema). */
export const handoffEnvShape = {
  // An agent (A-<userId>) every handed-off thread is assigned to; unset: unassigned, the inbox routes it.
  HANDOFF_ASSIGNEE_ACTOR_ID: env
    .string()
    .regex(/^A-\d+$/, 'must be an agent actor id like A-12345')
    .optional(),
  // `Mon-Fri 09:00-18:00, Sat 10:00-14:00`; unset: always open.
  HANDOFF_BUSINESS_HOURS: parsed(parseBusinessHours).optional(),
  HANDOFF_TIMEZONE: env.string().refine(isTimeZone, 'must be an IANA time zone like Europe/Bucharest').default('UTC'),
  HANDOFF_HOLIDAYS: parsed(parseHolidays).optional(),
  HANDOFF_OUTSIDE_HOURS: env.enum(OUTSIDE_HOURS_MODES).default('handoff'),
};

type HandoffEnv = {
  HANDOFF_ASSIGNEE_ACTOR_ID?: string;
  HANDOFF_BUSINESS_HOURS?: BusinessHours['ranges'];
  HANDOFF_TIMEZONE: string;
  HANDOFF_HOLIDAYS?: string[];
  HANDOFF_OUTSIDE_HOURS: OutsideHoursMode;
};

/** The handoff section: the optional assignee, business hours and the clock (texts: profiles/fixed-texts.ts). */
export interface HandoffSection {
  assigneeActorId?: string;
  /** Undefined: always open (no HANDOFF_BUSINESS_HOURS). */
  businessHours?: BusinessHours;
  /** Outside hours: hand off anyway (and say when a person answers) or stay on and take a message. */
  outsideHours: OutsideHoursMode;
  /** The clock business hours are judged by (tests freeze it). */
  now: () => number;
}

export function handoffSection(e: HandoffEnv): HandoffSection {
  return {
    assigneeActorId: e.HANDOFF_ASSIGNEE_ACTOR_ID,
    businessHours: e.HANDOFF_BUSINESS_HOURS && {
      ranges: e.HANDOFF_BUSINESS_HOURS,
      timeZone: e.HANDOFF_TIMEZONE,
      holidays: e.HANDOFF_HOLIDAYS ?? [],
    },
    outsideHours: e.HANDOFF_OUTSIDE_HOURS,
    now: Date.now,
  };
}
