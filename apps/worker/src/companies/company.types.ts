/** What the model sees of a search hit. */
export interface CompanySummary {
  name: string;
  cui: string;
  county?: string;
  url?: string;
}

/** What the model sees of a company: only the requested fields, all strings. */
export interface CompanyDetails {
  found: boolean;
  cui: string;
  source: 'listafirme' | 'anaf';
  fields?: Record<string, string>;
  /** ListaFirme credits this lookup spent (its `cost`); not shown to the model. */
  credits?: number;
}
