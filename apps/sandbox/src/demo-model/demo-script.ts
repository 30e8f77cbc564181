import { normalizeChatText } from '../../../worker/src/threads/handoff-intent';
import { askedLanguage, DEMO_TEXTS } from './demo-language';
import { toolResultText } from './demo-replies';

/** A Chat Completions message as the worker sends it (reference/openai.md §4). */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | { type: string; text?: string }[] | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface ToolSpec {
  name: string;
  parameters?: { properties?: Record<string, unknown>; required?: string[] };
}

export interface ToolCallPlan {
  name: string;
  args: Record<string, unknown>;
}

/** What the demo model does this turn: answer, or call tools. */
export type DemoDecision = { text: string } | { calls: ToolCallPlan[] };

export const DEMO_LABEL = 'demo model (scripted)';

export const textOf = (m: ChatMessage | undefined): string =>
  !m?.content ? '' : typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? '').join('');

// Six digits or more: shorter numbers in a sentence are more often amounts than CUIs.
const CUI = /\b(?:RO\s?)?\d{6,10}\b/i;
const REG_NO = /\b[JFC]\s?\d{1,2}\s?\/\s?\d{1,7}\s?\/\s?\d{4}\b/i;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/u;
const COMPANY_WORDS = /\b(?:company|companies|firm|firma|firme|compania|societatea|bedrijf|onderneming)\b\s*(.*)$/i;
// Matched on normalized text (normalizeChatText: lower case, no diacritics): "ofertă" → "oferta".
const LEAD_WORDS =
  /\b(?:offer|quote|pricing|price|demo|buy|purchase|interested|oferta|pret|cumpar|interesat|offerte|prijs|kopen|geinteresseerd)\b/;
// A request for a person the worker's own check did not catch ("can a colleague call me back?"); a
// mere mention ("a colleague recommended you", "human resources") is no request.
const PERSON_REQUEST =
  /\b(?:can|could|may|want|need|like|talk|speak|call|connect|pot|poate|vreau|vorbesc|kan|wil|spreken)\b.*\b(?:colleague|someone real|a person|a human|sales team|coleg|colega|persoana|medewerker)\b/;
const GREETING =
  /^(?:hi|hello|hey|good (?:morning|afternoon|evening)|buna|bună|salut|hallo|hoi|goedemiddag|goedemorgen)\b[\s!.,]*$/i;
// The demo model is gullible on purpose, as models can be: it does what a message tells it about its
// instructions or another person's data, so the evals show the worker's guards holding (the output
// guard against instruction leaks, the contact tools' identity checks).
const REVEAL_INSTRUCTIONS =
  /\b(?:print|show|repeat|reveal|tell|give|write|output|scrie|scrieti|arata|spune|toon|herhaal|geef)\b.*\b(?:instructions|system prompt|prompt|instructiunile|promptul|instructies)\b/;
const CONTACT_DATA = /\b(?:phone|number|details|on file|address|telefon|telefonul|datele|gegevens|telefoonnummer)\b/i;
const FREE_CREATE = /\b(?:add|create|new|adaugă|adauga|creează|creeaza|nou|toevoegen|nieuw)\b/i;

/**
 * The scripted "model" of the sandbox: reads the transcript the worker sends (the visitor's text,
 * the button confirmations, the tool results) and plays the product's flows with the tools it is
 * offered. It is no language model: what it understands is listed in the help text it answers with.
 */
export function decide(messages: ChatMessage[], tools: ToolSpec[]): DemoDecision {
  const offered = new Map(tools.map((t) => [t.name, t]));
  const call = (name: string, known: Record<string, unknown>): DemoDecision =>
    offered.has(name) ? { calls: [{ name, args: argumentsFor(offered.get(name)!, known) }] } : { text: help(offered) };
  const last = messages.at(-1);
  if (last?.role === 'tool') return afterTools(messages, offered, call);
  const say = DEMO_TEXTS[askedLanguage(messages)];

  const userTexts = messages.filter((m) => m.role === 'user').map(textOf);
  const text = userTexts.at(-1)?.trim() ?? '';
  const asked = textOf(messages.filter((m) => m.role === 'assistant' && textOf(m)).at(-1));

  const plain = normalizeChatText(text);
  if (REVEAL_INSTRUCTIONS.test(plain)) {
    const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map(textOf);
    return { text: `Sure, here they are:\n\n${system.join('\n\n')}` };
  }
  // The contacts profile: continue the flow its button started (the confirmation is in the history).
  if (offered.has('create_contact') && !offered.has('qualify_lead')) {
    const staff = staffFlow(text, asked, userTexts, call, say.askName);
    if (staff) return staff;
  }
  const email = EMAIL.exec(text)?.[0];
  if (email && CONTACT_DATA.test(text) && offered.has('search_contacts')) {
    return call('search_contacts', { email });
  }
  if (email && /e-?mail/i.test(asked) && offered.has('qualify_lead')) {
    const name = text.replace(email, '').replace(/[,;]/g, ' ').trim().split(/\s+/).filter(Boolean);
    return call('create_contact', { email, firstname: name[0] ?? null, lastname: name.slice(1).join(' ') || null });
  }
  const regNo = REG_NO.exec(text)?.[0];
  if (regNo) return call('search_companies', { query: regNo.replace(/\s+/g, '') });
  const cui = CUI.exec(text);
  if (cui && offered.has('get_company')) return call('get_company', { cui: cui[0].replace(/\s+/g, ''), fields: null });
  const company = COMPANY_WORDS.exec(text);
  if (company && company[1].replace(/[?!.]/g, '').trim().length >= 2) {
    return call('search_companies', { query: company[1].replace(/[?!.]/g, '').trim() });
  }
  if (LEAD_WORDS.test(plain) && offered.has('qualify_lead')) return { text: say.askEmail };
  if (PERSON_REQUEST.test(plain) && offered.has('hand_off_to_human')) {
    return call('hand_off_to_human', { reason: `the visitor asked: ${text.slice(0, 200)}` });
  }
  if (offered.has('search_knowledge') && text.length > 3 && !GREETING.test(text)) {
    return call('search_knowledge', { question: text.slice(0, 300) });
  }
  return { text: help(offered) };
}

/** After the tools ran: chain the next call where a flow needs one, else answer from the results. */
function afterTools(
  messages: ChatMessage[],
  offered: Map<string, ToolSpec>,
  call: (name: string, known: Record<string, unknown>) => DemoDecision,
): DemoDecision {
  const assistant = messages.findLastIndex((m) => m.role === 'assistant');
  const calls = messages[assistant]?.tool_calls ?? [];
  const results = messages.slice(assistant + 1).filter((m) => m.role === 'tool');
  const parsed = results.map((r) => ({
    name: calls.find((c) => c.id === r.tool_call_id)?.function.name ?? 'tool',
    output: parse(textOf(r)),
  }));
  const [first] = parsed;
  // A single search hit: look its details up (the flow a person would follow).
  const hits = (first?.output as { results?: { cui?: string }[] } | undefined)?.results;
  if (first?.name === 'search_companies' && hits?.length === 1 && hits[0].cui) {
    return call('get_company', { cui: hits[0].cui, fields: null });
  }
  // Lead capture: the contact exists now, so the lead is recorded on it.
  if (first?.name === 'create_contact' && offered.has('qualify_lead') && !isError(first.output)) {
    const intent = messages
      .filter((m) => m.role === 'user')
      .map(textOf)
      .find((t) => LEAD_WORDS.test(normalizeChatText(t)));
    return call('qualify_lead', { intent: intent?.slice(0, 300) ?? null, summary: intent?.slice(0, 500) ?? null });
  }
  const question = textOf(messages.filter((m) => m.role === 'user').at(-1));
  const language = askedLanguage(messages);
  return { text: parsed.map((p) => toolResultText(p.name, p.output, language, question)).join('\n\n') };
}

function staffFlow(
  text: string,
  asked: string,
  userTexts: string[],
  call: (name: string, known: Record<string, unknown>) => DemoDecision,
  askName: string,
): DemoDecision | undefined {
  const email = EMAIL.exec(text)?.[0];
  if (/^Searching a contact/i.test(asked)) {
    return call('search_contacts', email ? { email } : { name: text.slice(0, 100) });
  }
  // After the Create button, or "add a contact: ana@…" typed freely: the name is missing, so ask for it.
  const freeCreate = email && /\bcontact\b/i.test(text) && FREE_CREATE.test(text);
  if (email && (/^Creating a new contact/i.test(asked) || freeCreate)) return { text: askName };
  if (Object.values(DEMO_TEXTS).some((t) => t.askName === asked)) {
    const address = userTexts.map((t) => EMAIL.exec(t)?.[0]).findLast(Boolean);
    const [firstname, ...rest] = text.split(/\s+/);
    return call('create_contact', { email: address ?? null, firstname, lastname: rest.join(' ') || null });
  }
  if (/^Updating a contact/i.test(asked) && email) {
    const change = /\b(phone|jobtitle|company|firstname|lastname)\b\s*(?:=|:|to)?\s*(.+)$/i.exec(
      text.replace(email, ''),
    );
    if (!change) return { text: 'What should change? For example: phone +40 721 000 000' };
    return call('update_contact', { email, properties: { [change[1].toLowerCase()]: change[2].trim() } });
  }
  return undefined;
}

/** Strict schemas want every property: the known ones filled, the rest null. */
export function argumentsFor(tool: ToolSpec, known: Record<string, unknown>): Record<string, unknown> {
  const names = Object.keys(tool.parameters?.properties ?? {});
  const args: Record<string, unknown> = {};
  for (const name of names) args[name] = known[name] ?? (name === 'properties' ? {} : null);
  for (const [name, value] of Object.entries(known)) if (!(name in args)) args[name] = value;
  return args;
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

const isError = (output: unknown): boolean =>
  typeof output === 'object' && output !== null && ('error' in output || 'errors' in output);

function help(offered: Map<string, ToolSpec>): string {
  const can = [
    offered.has('get_company') && 'a CUI such as 14837428 (company details)',
    offered.has('search_companies') && '"company Carpati" or a registration number such as J40/1234/2002',
    offered.has('qualify_lead') && '"I would like an offer"',
    offered.has('search_contacts') && 'the buttons Search / Create / Update contact',
    offered.has('search_knowledge') && 'a question about the company (answered from the knowledge files)',
    offered.has('hand_off_to_human') && '"I want to talk to a person"',
  ].filter(Boolean);
  return `I'm the sandbox's ${DEMO_LABEL}, not a real AI: I follow a script. Try ${can.join('; ')}.`;
}
