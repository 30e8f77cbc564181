import { Client } from '@hubspot/api-client';
import type { WorkerConfig } from '../config/worker-config';
import { setupCompanyProperties } from './company-property.setup';

/**
 * The one-off `setup-company-property` command of the worker bundle (no queue, no Redis): creates
 * the company properties save_company needs. Exit code 1 when something is left to do by hand.
 */
export async function runSetupCommand(config: WorkerConfig, out: (line: string) => void): Promise<number> {
  // A short-lived client of its own: this command runs outside the worker, with no shared budget to keep.
  const sdk = new Client({
    accessToken: config.hubspot.accessToken,
    basePath: config.hubspot.baseUrl,
    numberOfApiCallRetries: 0,
  });
  const lines = await setupCompanyProperties(sdk, config.contacts.companyCuiProperty);
  for (const l of lines) out(`${l.property}: ${l.outcome}${l.detail ? ` (${l.detail})` : ''}`);
  return lines.some((l) => l.outcome === 'problem') ? 1 : 0;
}
