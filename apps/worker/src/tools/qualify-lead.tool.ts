import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { redactText } from '@app/logging';
import { normalizeCui } from '../companies/cui';
import { NOTE_MAX, freeText, lifecycleRank, noteText } from '../contacts/contact-properties';
import { HubSpotContacts } from '../contacts/hubspot-contacts.service';
import { NoteOnce } from '../contacts/note-once.service';
import { CrmWritesStore } from '../state/crm-writes.store';
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
 * qualify_lead: records the qualification as a note on the visitor's own contact (its timeline;
 * once per call, whatever is redelivered), marks them as a lead (forward only) and fills contact
 * properties only where empty, unless the operator allowed overwriting them (verified visitors).
 * Write-only: it answers `saved`.
 */
@Injectable()
export class QualifyLeadTool implements AssistantTool<typeof schema> {
  readonly name = 'qualify_lead';
  readonly description =
    'Save what the visitor told you about their need on their own contact (as a note for sales) and mark ' +
    'them as a lead. Needs the visitor’s contact (create_contact first if there is none). Give what you ' +
    'know; null the rest. Call it once per qualification.';
  readonly schema = schema;
  private readonly settings: ContactToolSettings;

  constructor(
    private readonly contacts: HubSpotContacts,
    @Inject(CONTACT_TOOLS_OPTIONS) options: ContactToolsOptions,
    private readonly notes: NoteOnce,
    private readonly writes: CrmWritesStore,
  ) {
    this.settings = new ContactToolSettings(options);
  }

  async run(a: Args, ctx: ToolContext) {
    logContactCall(this.name, a, ctx);
    if (ctx.scope !== 'visitor') throw new Error('qualify_lead is not available here');
    const own = ctx.visitor.contactId;
    if (!own) throw new Error(NEED_EMAIL);
    const lines = leadLines(a);
    const current = await this.contacts.getById(own);
    if (!current) throw new Error('your contact record could not be found');

    let noted = false;
    if (lines.length > 0) {
      const ref = { portalId: ctx.portalId, threadId: ctx.threadId };
      const marker = markerOf(ctx, a);
      const cui = a.company_cui ? normalizeCui(a.company_cui) : undefined;
      const companyId = cui ? (await this.writes.company(ref, cui))?.companyId : undefined;
      await this.notes.write(ref, marker, { body: noteBody(lines, ctx.threadId, marker), contactId: own, companyId });
      noted = true;
    }

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
    if (lines.length > 0 && this.settings.leadNoteProperty) {
      visitorSaid[this.settings.leadNoteProperty] = plainNote(lines);
    }
    Object.assign(props, visitorSaid);
    const verified = ctx.visitor.identity === 'verified';
    // What the visitor said fills empty fields only; a verified visitor may replace what the operator allowed.
    const keepFilled = Object.keys(visitorSaid).filter(
      (name) => !verified || !this.settings.overwriteProperties.includes(name),
    );
    const changed =
      Object.keys(props).length === 0 ? {} : (await this.contacts.update(own, props, { keepFilled })).changed;
    return verified ? { saved: true, id: own, noted, updated: Object.keys(changed) } : { saved: true };
  }
}

/** The idempotency marker of one qualification: the same call (a retry, a redelivery) gets the same one. */
function markerOf(ctx: ToolContext, a: Args): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([ctx.portalId, ctx.threadId, ctx.messageId, a]))
    .digest('hex');
  return `chatq-${digest.slice(0, 20)}`;
}

/** The qualification as labelled lines (validated, e-mails and phones masked); empty when nothing was given. */
function leadLines(a: Args): string[] {
  const line = (label: string, value: string | null, field: string): string | undefined =>
    value && value.trim() ? `${label}: ${redactText(parseWith(freeText(300), field, value))}` : undefined;
  const cui = a.company_cui?.trim() ? parseWith(freeText(20), 'company_cui', a.company_cui) : undefined;
  const normalized = cui ? normalizeCui(cui) : undefined;
  const summary = a.summary?.trim() ? redactText(parseWith(noteText(2000), 'summary', a.summary)) : undefined;
  return [
    line('Intent', a.intent, 'intent'),
    cui ? `Company CUI: ${normalized ?? `${cui} (checksum failed)`}` : undefined,
    line('Role', a.role, 'role'),
    line('Budget', a.budget, 'budget'),
    line('Timeline', a.timeline, 'timeline'),
    summary ? `Summary: ${summary.length > NOTE_MAX ? `${summary.slice(0, NOTE_MAX - 1)}…` : summary}` : undefined,
  ].filter((l): l is string => Boolean(l));
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The note's HTML: the visitor's words escaped (HubSpot renders the body), the marker in its last line. */
function noteBody(lines: string[], threadId: string, marker: string): string {
  const body = lines.map((l) => escapeHtml(l).replace(/\n/g, '<br>')).join('<br>');
  return (
    `<p><strong>Chat qualification</strong> (conversation ${escapeHtml(threadId)})</p>` +
    `<p>${body}</p><p>Ref: ${marker}</p>`
  );
}

/** The same text for a contact property (CONTACT_LEAD_NOTE_PROPERTY), ≤ 1000 chars. */
function plainNote(lines: string[]): string {
  const text = [`Chat qualification ${new Date().toISOString().slice(0, 10)}`, ...lines].join('\n');
  return text.length > NOTE_MAX ? `${text.slice(0, NOTE_MAX - 1)}…` : text;
}
