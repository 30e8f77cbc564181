import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Byte-exact copies of ../shared/fixtures (HubSpot payloads and signature v3 vectors). */
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'hubspot');

export interface SignatureVector {
  secret: string;
  method: string;
  uri: string;
  body_file: string;
  timestamp: string;
  signature: string;
}

export function readFixture(name: string): Buffer {
  return readFileSync(join(FIXTURES_DIR, name));
}

export function signatureVectors(): SignatureVector[] {
  return (JSON.parse(readFixture('signature-vectors.json').toString('utf8')) as { v3: SignatureVector[] }).v3;
}

/** The worker's required provider variables, pointing at nothing (for tests that never call out). */
export const WORKER_TEST_ENV = {
  HUBSPOT_ACCESS_TOKEN: 'pat-test-0000',
  HUBSPOT_BOT_ACTOR_ID: 'A-4242',
  OPENAI_API_KEY: 'sk-test-0000',
  HUBSPOT_BASE_URL: 'http://127.0.0.1:9',
  OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  LOG_LEVEL: 'silent',
} as const;
