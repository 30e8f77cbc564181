import { bestSentence, DEMO_TEXTS, type DemoLanguage } from './demo-language';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);

/** A company's fields as one readable line ("Name (CUI …): RegNo …, City …"). */
function companyLine(details: Json): string {
  const fields = obj(details.fields);
  const name = typeof fields.Name === 'string' && fields.Name ? fields.Name : 'The company';
  const rest = Object.entries(fields)
    .filter(([k, v]) => k !== 'Name' && typeof v === 'string' && v !== '')
    .map(([k, v]) => `${k}: ${String(v)}`);
  return `**${name}** (CUI ${String(details.cui)})${rest.length ? ` — ${rest.join(', ')}` : ''}.`;
}

function contactLine(c: Json): string {
  const p = obj(c.properties ?? c);
  const name = [p.firstname, p.lastname].filter((x) => typeof x === 'string' && x).join(' ');
  return `${name || '(no name)'} <${typeof p.email === 'string' ? p.email : 'no e-mail'}> (id ${String(c.id ?? p.hs_object_id)})`;
}

/**
 * What the demo model says about one tool's result (the worker gives every call an output), in the
 * language the worker asked for where the sentence is the demo's own; `question` is the visitor's.
 */
export function toolResultText(name: string, output: unknown, language: DemoLanguage = 'en', question = ''): string {
  const o = obj(output);
  const say = DEMO_TEXTS[language];
  if (typeof o.error === 'string') return `Sorry, that did not work: ${o.error}`;
  switch (name) {
    case 'get_company':
      return o.found === false ? `No company with CUI ${String(o.cui)} is in the register.` : companyLine(o);
    case 'search_companies': {
      const hits = list(o.results);
      if (hits.length === 0) return say.noCompany;
      return `I found: ${hits.map((h) => `${String(h.name)} (CUI ${String(h.cui)})`).join('; ')}. Send me a CUI for the details.`;
    }
    case 'search_contacts': {
      const hits = list(o.results);
      if (hits.length === 0) return `No contact found.${typeof o.note === 'string' ? ` (${o.note})` : ''}`;
      return `Found: ${hits.map(contactLine).join('; ')}.`;
    }
    case 'create_contact':
      if (o.created === true) return `Created contact ${String(o.id)}.`;
      if (o.created === false) return `That contact already exists (id ${String(o.id)}); nothing was changed.`;
      return 'Thanks, your details are saved.';
    case 'update_contact':
      return `Done: ${JSON.stringify(o.changed ?? o.updated ?? o)}.`;
    case 'qualify_lead':
      return say.leadDone;
    case 'hand_off_to_human':
      return say.handedOff;
    case 'send_verification_code':
      return "I've sent a 6-digit code to that address. Please type it here.";
    case 'search_knowledge': {
      // The tool's output: passages with their text (the worker adds the sources to the answer itself).
      const passages = list(o.passages).map((p) => (typeof p.text === 'string' ? p.text : ''));
      const answer = passages.length ? bestSentence(question, passages) : '';
      return answer || say.noKnowledge;
    }
    default:
      return `Result: ${JSON.stringify(output).slice(0, 500)}`;
  }
}
