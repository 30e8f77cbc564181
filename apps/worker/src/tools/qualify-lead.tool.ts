import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { normalizeCui } from '../companies/cui';
import { NOTE_MAX, freeText, lifecycleRank, noteText } from '../contacts/contact-properties';
import { HubSpotContacts } from '../contacts/hubspot-contacts.service';
import type { AssistantTool, ToolContext } from './assistant-tool';
import { NEED_EMAIL, logContactCall, parseWith } from './contact-arguments';
import { CONTACT_TOOLS_OPTIONS, ContactToolSettings, type ContactToolsOptions } from './contact-tool-settings';

const text = (max: number, description: string) => z.string().max(max).nullable().describe(description);
const schema = z.object({
  intent: text(300, 'What they want (product, service, question), or null'),
  company_cui: text(20, 'Their company’s CUI, or null'),
  role: text(300, 'Their role / job title, or null'),
  budget: text(300, 'Budget as they stated it, or null'),
  timeline: text(300, 'When they need it, or null'),
  summary: text(2000, `Short summary of the conversation (≤ ${NOTE_MAX} characters), or null`),
});
type Args = z.output<typeof schema>;

/** Lead statuses qualify_lead may overwrite (anything else was set by sales: leave it). */
const OVERWRITABLE_LEAD_STATUSES = new Set(['', 'NEW']);

/**
 * qualify_lead: marks the visitor's own contact as a lead (forward only) and records what they
 * said. Write-only: it answers `saved` and, below verification, fills only empty fields.
 */
@Injectable()
export class QualifyLeadTool implements AssistantTool<typeof schema> {
  readonly name = 'qualify_lead';
  readonly description =
    'Save what the visitor told you about their need on their own contact and mark them as a lead. ' +
    'Needs the visitor’s contact (create_contact first if there is none). Give what you know; null the rest.';
  readonly schema = schema;
  private readonly settings: ContactToolSettings;

  constructor(
    private readonly contacts: HubSpotContacts,
    @Inject(CONTACT_TOOLS_OPTIONS) options: ContactToolsOptions,
  ) {
    this.settings = new ContactToolSettings(options);
  }

  async run(a: Args, ctx: ToolContext) {
    logContactCall(this.name, a, ctx);
    if (ctx.scope !== 'visitor') throw new Error('qualify_lead is not available here');
    const own = ctx.visitor.contactId;
    if (!own) throw new Error(NEED_EMAIL);
    const note = leadNote(a);
    const current = await this.contacts.getById(own);
    if (!current) throw new Error('your contact record could not be found');

    const props: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.settings.leadProperties)) {
      if (name === 'lifecyclestage' && lifecycleRank(current.properties.lifecyclestage) >= lifecycleRank(value)) {
        continue; // never move a contact back in the funnel
      }
      if (name === 'hs_lead_status' && !OVERWRITABLE_LEAD_STATUSES.has(current.properties.hs_lead_status ?? '')) {
        continue; // sales already works this lead
      }
      props[name] = value;
    }
    const visitorSaid: Record<string, string> = {};
    if (a.role) visitorSaid.jobtitle = parseWith(freeText(), 'role', a.role);
    if (note && this.settings.leadNoteProperty) visitorSaid[this.settings.leadNoteProperty] = note;
    Object.assign(props, visitorSaid);
    const verified = ctx.visitor.identity === 'verified';
    if (Object.keys(props).length === 0) return verified ? { saved: true, id: own, updated: [] } : { saved: true };
    // Unverified: what the visitor said fills empty fields only (the funnel rules above still apply).
    const keepFilled = verified ? undefined : Object.keys(visitorSaid);
    const { changed } = await this.contacts.update(own, props, { keepFilled });
    return verified ? { saved: true, id: own, updated: Object.keys(changed) } : { saved: true };
  }
}

/** Multi-line qualification note, ≤ 1000 chars; undefined when nothing was given. */
function leadNote(a: Args): string | undefined {
  const line = (label: string, value: string | null, field: string): string | undefined =>
    value && value.trim() ? `${label}: ${parseWith(freeText(300), field, value)}` : undefined;
  const cui = a.company_cui?.trim() ? parseWith(freeText(20), 'company_cui', a.company_cui) : undefined;
  const normalized = cui ? normalizeCui(cui) : undefined;
  const summary = a.summary?.trim() ? parseWith(noteText(2000), 'summary', a.summary) : undefined;
  const lines = [
    line('Intent', a.intent, 'intent'),
    cui ? `Company CUI: ${normalized ?? `${cui} (checksum failed)`}` : undefined,
    line('Role', a.role, 'role'),
    line('Budget', a.budget, 'budget'),
    line('Timeline', a.timeline, 'timeline'),
    summary ? `Summary: ${summary}` : undefined,
  ].filter((l): l is string => Boolean(l));
  if (lines.length === 0) return undefined;
  const text = [`Chat qualification ${new Date().toISOString().slice(0, 10)}`, ...lines].join('\n');
  return text.length > NOTE_MAX ? `${text.slice(0, NOTE_MAX - 1)}…` : text;
}
