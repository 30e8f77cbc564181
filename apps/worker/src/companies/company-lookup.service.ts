import { Injectable, Logger } from '@nestjs/common';
import { UpstreamError } from '../errors/upstream.error';
import { AnafClient } from './anaf.client';
import type { CompanyDetails, CompanySummary } from './company.types';
import { normalizeCui } from './cui';
import { ListaFirmeClient } from './listafirme.client';

/** Fields the model may ask ListaFirme for (each costs credits); the default set is cheap. */
export const COMPANY_FIELDS = [
  'Name',
  'Status',
  'RegNo',
  'LegalForm',
  'County',
  'City',
  'Address',
  'NACE',
  'Date',
  'VAT',
  'Phone',
  'Email',
  'Web',
  'Administrators',
  'Shareholders',
  'Turnover',
] as const;
export type CompanyField = (typeof COMPANY_FIELDS)[number];
export const DEFAULT_COMPANY_FIELDS: CompanyField[] = ['Name', 'Status', 'RegNo', 'County', 'City', 'NACE'];
const MAX_RESULTS = 5;

/** Company register lookups: ListaFirme when configured, ANAF by CUI as the free fallback. */
@Injectable()
export class CompanyLookupService {
  private readonly logger = new Logger(CompanyLookupService.name);

  constructor(
    private readonly listaFirme: ListaFirmeClient,
    private readonly anaf: AnafClient,
  ) {}

  async search(query: string): Promise<CompanySummary[]> {
    const cui = normalizeCui(query);
    if (this.listaFirme.configured) {
      try {
        return (await this.listaFirme.search(query)).slice(0, MAX_RESULTS);
      } catch (err) {
        if (!cui) throw err;
        this.logger.warn(`ListaFirme search failed, trying ANAF by CUI: ${(err as Error).message}`);
      }
    }
    if (!cui) {
      throw new UpstreamError('listafirme', 'search by name needs ListaFirme; ask the visitor for the CUI', false);
    }
    const found = await this.anaf.byCui(cui);
    return found.found ? [{ name: found.fields?.Name ?? '', cui }] : [];
  }

  /** Validates the CUI before spending credits; falls back to ANAF when ListaFirme is absent or fails. */
  async details(rawCui: string, fields: CompanyField[] = DEFAULT_COMPANY_FIELDS): Promise<CompanyDetails> {
    const cui = normalizeCui(rawCui);
    if (!cui) throw new InvalidCuiError(rawCui);
    const wanted = [...new Set(fields.length ? fields : DEFAULT_COMPANY_FIELDS)];
    if (this.listaFirme.configured) {
      try {
        return await this.listaFirme.info(cui, wanted);
      } catch (err) {
        this.logger.warn(`ListaFirme info failed, falling back to ANAF: ${(err as Error).message}`);
      }
    }
    const anaf = await this.anaf.byCui(cui);
    if (!anaf.fields) return anaf;
    // ANAF returns a fixed record; keep what was asked (plus the name) so answers stay small.
    const keep = new Set<string>([...wanted, 'Name']);
    return { ...anaf, fields: Object.fromEntries(Object.entries(anaf.fields).filter(([k]) => keep.has(k))) };
  }
}

export class InvalidCuiError extends Error {
  constructor(input: string) {
    super(`"${input.slice(0, 20)}" is not a valid Romanian CUI (checksum failed)`);
    this.name = 'InvalidCuiError';
  }
}
