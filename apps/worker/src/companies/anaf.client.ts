import { Injectable } from '@nestjs/common';
import { CompaniesConfig } from '../config/config-sections';
import { UpstreamError, isRetryableStatus } from '../errors/upstream.error';
import { WorkerMetrics } from '../metrics/worker-metrics.service';
import type { CompanyDetails } from './company.types';

interface AnafRecord {
  date_generale?: Record<string, unknown>;
  inregistrare_scop_Tva?: { scpTVA?: boolean };
  stare_inactiv?: { statusInactivi?: boolean };
}

/** ANAF's free VAT-payer web service: lookups by CUI only, used when ListaFirme is absent or fails. */
@Injectable()
export class AnafClient {
  constructor(
    private readonly config: CompaniesConfig,
    private readonly metrics: WorkerMetrics,
  ) {}

  async byCui(cui: string): Promise<CompanyDetails> {
    const end = this.metrics.startUpstreamCall('anaf', 'tva');
    let res: Response;
    try {
      res = await fetch(`${this.config.anafBaseUrl}/tva`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ cui: Number(cui), data: new Date().toISOString().slice(0, 10) }]),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (err) {
      end((err as Error).name === 'TimeoutError' ? 'timeout' : 'network');
      throw new UpstreamError('anaf', (err as Error).message, true);
    }
    end(res.status);
    if (!res.ok) throw new UpstreamError('anaf', `→ ${res.status}`, isRetryableStatus(res.status), res.status);
    const body = (await res.json().catch(() => undefined)) as { found?: AnafRecord[] } | undefined;
    if (!body) throw new UpstreamError('anaf', 'answer is not JSON', true, res.status);
    const record = body.found?.[0];
    if (!record?.date_generale) return { found: false, cui, source: 'anaf' };
    const g = record.date_generale;
    const pick = (k: string): string | undefined => {
      const v = g[k];
      if (typeof v === 'string') return v || undefined;
      return typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    };
    const fields: Record<string, string | undefined> = {
      Name: pick('denumire'),
      RegNo: pick('nrRegCom'),
      Address: pick('adresa'),
      Status: pick('stare_inregistrare'),
      Date: pick('data_inregistrare'),
      NACE: pick('cod_CAEN'),
      LegalForm: pick('forma_juridica'),
      VAT: record.inregistrare_scop_Tva?.scpTVA === undefined ? undefined : String(record.inregistrare_scop_Tva.scpTVA),
      Inactive:
        record.stare_inactiv?.statusInactivi === undefined ? undefined : String(record.stare_inactiv.statusInactivi),
    };
    return {
      found: true,
      cui,
      source: 'anaf',
      fields: Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)),
    };
  }
}
