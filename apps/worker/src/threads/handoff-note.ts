import type { ToolCallAudit } from '@app/audit';
import { redactEmail, redactText } from '@app/logging';

/** At most this long, so the agent reads it at a glance (the marker line comes on top). */
const NOTE_MAX_CHARS = 1000;
const VISITOR_TEXT_CHARS = 300;
const TOOL_RESULT_CHARS = 140;
/** Tools whose results are about people (contacts, codes) or say nothing (the handoff): name and status only. */
const PERSONAL_TOOLS = /contact|verif|code|hand_off/i;

/** What the agent is told about a handoff; every free text in it is redacted here. */
export interface HandoffNoteInput {
  /** The visitor message whose turn handed off: the note's marker (found again after a crash). */
  messageId: string;
  /** The turn's reason (progress.handoffReason), and the thread's own (e.g. the model's `tool: …`). */
  reason: string;
  detail?: string;
  /** Out of hours: when the visitor was told a person answers. */
  closedUntil?: string;
  /** The bot stayed on out of hours (HANDOFF_OUTSIDE_HOURS=stay) and offered to take a message. */
  stayed?: boolean;
  language: string;
  contactId?: string;
  email?: string;
  visitorText: string;
  attachments: string[];
  /** This turn's tool calls (arguments already redacted) and their outputs, in the same order. */
  toolCalls: ToolCallAudit[];
  toolOutputs: string[];
  /** Names given in this turn's tool arguments: masked too. */
  names?: readonly string[];
}

/** The text that finds a note again: one per handoff turn. */
export const noteMarker = (messageId: string) => `[assistant handoff ${messageId}]`;

/**
 * Why, in words an agent reads (metrics and outcomes use the fixed set of handoff-category.ts):
 * visitor asked / tapped "I need more help" / model decided / turn failed / cost cap.
 */
export function handoffCategory(reason: string): string {
  // The model's own words (`tool: …`) may say anything: recognised before the others.
  if (/^tool|model/i.test(reason)) return 'the assistant decided a person should take over';
  if (/^feedback/i.test(reason)) return 'the visitor tapped "I need more help" under an answer';
  if (/attachment/i.test(reason)) return 'the visitor sent only a picture or file';
  if (/asked for a person|visitor/i.test(reason)) return 'the visitor asked for a person';
  if (/failed/i.test(reason)) return 'the assistant could not answer (turn failed)';
  if (/\bcap\b|cost/i.test(reason)) return 'the conversation reached its cost cap';
  return reason;
}

/** The internal note posted at a handoff (a COMMENT: agents see it, the visitor never does). */
export function buildHandoffNote(input: HandoffNoteInput): string {
  const mask = (text: string) => redactText(text, input.names ?? []);
  const why = input.stayed
    ? `Out of hours: ${handoffCategory(input.reason)}; the assistant stayed on and offered to take a message (people answer ${input.closedUntil}).`
    : `Handed over: ${handoffCategory(input.reason)}.` +
      (input.closedUntil ? ` Out of hours: the visitor was told a colleague answers ${input.closedUntil}.` : '');
  const lines = [
    noteMarker(input.messageId),
    why,
    input.detail && input.detail !== input.reason ? `Reason given: ${mask(input.detail).slice(0, 200)}` : undefined,
    `Visitor's language: ${input.language}`,
    `Contact: ${input.contactId ? `${input.contactId}${input.email ? ` (${redactEmail(input.email)})` : ''}` : input.email ? redactEmail(input.email) : 'not known'}`,
    `Visitor wrote: ${quote(mask(input.visitorText), VISITOR_TEXT_CHARS) || '(no text)'}` +
      (input.attachments.length ? ` [${input.attachments.join('; ')}]` : ''),
    tools(input, mask),
  ].filter((l): l is string => Boolean(l));
  return lines.join('\n').slice(0, NOTE_MAX_CHARS);
}

function tools(input: HandoffNoteInput, mask: (t: string) => string): string | undefined {
  if (input.toolCalls.length === 0) return undefined;
  const found = input.toolCalls.map((call, i) => {
    const output = input.toolOutputs[i];
    const shown = call.status === 'ok' && output && !PERSONAL_TOOLS.test(call.name);
    const result = shown ? `: ${quote(mask(output), TOOL_RESULT_CHARS)}` : '';
    return `${call.name} (${call.status})${result}`;
  });
  return `Tools this turn: ${found.join('; ')}`;
}

/** One line, trimmed, shortened with an ellipsis. */
function quote(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
