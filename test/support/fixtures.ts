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
