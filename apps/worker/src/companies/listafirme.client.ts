import { Injectable } from '@nestjs/common';
import { CompaniesConfig } from '../config/config-sections';
import { UpstreamError, isRetryableStatus } from '../errors/upstream.error';
import { WorkerMetrics } from '../metrics/worker-metrics.service';
import type { CompanyDetails, CompanySummary } from './company.types';

interface ListaFirmeError {
  error?: string;
  errorCode?: string;
}

/** ListaFirme.ro search-v1 (free) and info-v1 (paid per field returned). No SDK exists: fetch. */
@Injectable()
export class ListaFirmeClient {
  constructor(
    private readonly config: CompaniesConfig,
    private readonly metrics: WorkerMetrics,
  ) {}

  get configured(): boolean {
    return Boolean(this.config.listaFirmeApiKey);
  }

  async search(query: string): Promise<CompanySummary[]> {
    const body = await this.post<{ Results?: { Name?: string; FiscalCode?: string; County?: string; URL?: string }[] }>(
      'search-v1.asp',
      { src: query },
    );
    return (body.Results ?? []).map((r) => ({
      name: r.Name ?? '',
      cui: String(r.FiscalCode ?? ''),
      county: r.County,
      url: r.URL,
    }));
  }

  /** Asks only for `fields` (credits are per field). Unknown tax code is an answer, not an error. */
  async info(cui: string, fields: string[]): Promise<CompanyDetails> {
    const data: Record<string, string> = { TaxCode: cui, ...Object.fromEntries(fields.map((f) => [f, ''])) };
    const body = await this.post<Record<string, unknown> & ListaFirmeError>('info-v1.asp', {
      data: JSON.stringify(data),
    });
    if (body.errorCode === 'TAX_CODE_NOT_FOUND') return { found: false, cui, source: 'listafirme' };
    const picked = Object.fromEntries(
      fields.filter((f) => body[f] !== undefined && body[f] !== '').map((f) => [f, stringify(body[f])]),
    );
    // `cost` comes back as a string ("0.21"); anything unparsable counts as 0 rather than failing the lookup.
    const credits = typeof body.cost === 'string' || typeof body.cost === 'number' ? Number(body.cost) : 0;
    return {
      found: true,
      cui,
      source: 'listafirme',
      fields: picked,
      credits: Number.isFinite(credits) && credits > 0 ? credits : 0,
    };
  }

  private async post<T>(endpoint: string, params: Record<string, string>): Promise<T> {
    const key = this.config.listaFirmeApiKey;
    if (!key) throw new UpstreamError('listafirme', 'not configured', false);
    // `search-v1.asp` → `search-v1`
    const end = this.metrics.startUpstreamCall('listafirme', endpoint.replace(/\.asp$/, ''));
    let res: Response;
    try {
      res = await fetch(`${this.config.listaFirmeBaseUrl}/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ key, ...params }),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (err) {
      end((err as Error).name === 'TimeoutError' ? 'timeout' : 'network');
      throw new UpstreamError('listafirme', `${endpoint}: ${(err as Error).message}`, true);
    }
    if (!res.ok) {
      end(res.status);
      throw new UpstreamError('listafirme', `${endpoint} → ${res.status}`, isRetryableStatus(res.status), res.status);
    }
    let body: T & ListaFirmeError;
    try {
      body = (await res.json()) as T & ListaFirmeError;
    } catch {
      end('api_error');
      throw new UpstreamError('listafirme', `${endpoint}: answer is not JSON`, true, res.status);
    }
    // ListaFirme answers its errors (API_BUSY_RETRY, …) with a 200: those count as api_error.
    const failed = body.errorCode !== 'TAX_CODE_NOT_FOUND' && Boolean(body.errorCode || body.error);
    end(failed ? 'api_error' : res.status);
    if (body.errorCode === 'TAX_CODE_NOT_FOUND') return body;
    if (body.errorCode || body.error) {
      const code = body.errorCode ?? body.error ?? '';
      const busy = /API_BUSY_RETRY/i.test(`${body.errorCode ?? ''} ${body.error ?? ''}`);
      throw new UpstreamError('listafirme', `${endpoint}: ${code}`, busy, res.status, busy ? 2000 : undefined, code);
    }
    return body;
  }
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
