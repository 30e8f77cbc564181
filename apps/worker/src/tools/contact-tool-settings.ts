import {
  DEFAULT_UPDATABLE_PROPERTIES,
  DEFAULT_VISITOR_UPDATABLE_PROPERTIES,
  normalizeContactProperty,
} from '../contacts/contact-properties';

export interface ContactToolsOptions {
  /** Properties `update_contact` may change (staff scope). */
  updatableProperties: string[];
  /**
   * Of those, what a visitor may change on their own contact. Default: contact details only —
   * not `email` (their identity; a change could also probe which e-mails exist) and not the
   * sales-owned `lifecyclestage` / `hs_lead_status` (qualify_lead sets those, forward only).
   */
  visitorUpdatableProperties?: string[];
  /** Written by qualify_lead, e.g. `{lifecyclestage: 'lead', hs_lead_status: 'OPEN'}`. */
  leadProperties: Record<string, string>;
  /** A contact property that also gets the qualification text (≤ 1000 chars); undefined = none (the CRM note only). */
  leadNoteProperty?: string;
  /** Contact properties the assistant may replace when they already hold a value (verified visitors, staff). */
  overwriteProperties?: string[];
  /** The unique company property holding the CUI (default `cui`). */
  companyCuiProperty?: string;
  /** Company properties save_company may replace when they already hold a value. */
  companyOverwriteProperties?: string[];
}

export const CONTACT_TOOLS_OPTIONS = Symbol('CONTACT_TOOLS_OPTIONS');

export const DEFAULT_CONTACT_TOOLS_OPTIONS: ContactToolsOptions = {
  updatableProperties: [...DEFAULT_UPDATABLE_PROPERTIES],
  visitorUpdatableProperties: [...DEFAULT_VISITOR_UPDATABLE_PROPERTIES],
  leadProperties: { lifecyclestage: 'lead', hs_lead_status: 'OPEN' },
  // No property by default: HubSpot forms write the visitor's own text into `message`.
  leadNoteProperty: undefined,
  overwriteProperties: [],
  companyCuiProperty: 'cui',
  companyOverwriteProperties: [],
};

/** The contact tools' options, checked once: a misconfiguration fails at boot, not mid-chat. */
export class ContactToolSettings {
  readonly updatable: string[];
  readonly visitorUpdatable: string[];
  readonly leadProperties: Record<string, string>;
  readonly leadNoteProperty?: string;
  readonly overwriteProperties: string[];

  constructor(options: ContactToolsOptions) {
    this.updatable = [...new Set(options.updatableProperties)];
    const visitor = options.visitorUpdatableProperties ?? DEFAULT_VISITOR_UPDATABLE_PROPERTIES;
    this.visitorUpdatable = this.updatable.filter((p) => visitor.includes(p) && p !== 'email');
    this.leadProperties = Object.fromEntries(
      Object.entries(options.leadProperties).map(([k, v]) => [k, normalizeContactProperty(k, v)]),
    );
    if (options.leadNoteProperty !== undefined && !/^[a-z][a-z0-9_]{0,99}$/.test(options.leadNoteProperty)) {
      throw new Error(`leadNoteProperty "${options.leadNoteProperty}" is not a HubSpot property name`);
    }
    this.leadNoteProperty = options.leadNoteProperty;
    this.overwriteProperties = [...new Set(options.overwriteProperties ?? [])];
    const bad = this.overwriteProperties.find((p) => !/^[a-z][a-z0-9_]{0,99}$/.test(p) || p === 'email');
    if (bad !== undefined) throw new Error(`CONTACT_OVERWRITE_PROPERTIES: "${bad}" cannot be overwritten`);
  }
}
