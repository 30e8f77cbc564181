import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicAuthCredentials {
  user: string;
  password: string;
}

/** `missing`: no (usable) Basic credentials were presented; `wrong`: they were, and do not match. */
export type CredentialVerdict = 'valid' | 'missing' | 'wrong';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

// RFC 7617 token68; anything longer than this is not a credential we issued.
const BASIC = /^Basic ([A-Za-z0-9+/]{1,1024}={0,2})$/i;

/** Checks an Authorization header against the admin credentials in constant time (per field). */
export function basicCredentialChecker(credentials: BasicAuthCredentials) {
  // Compare digests: equal length for timingSafeEqual, and no early exit on the first wrong byte.
  const expectedUser = digest(credentials.user);
  const expectedPassword = digest(credentials.password);
  return (header: string | string[] | undefined): CredentialVerdict => {
    if (typeof header !== 'string' || header === '') return 'missing';
    const match = BASIC.exec(header);
    // A non-Basic scheme or garbage still counts as a try: a scanner must not get free guesses.
    if (!match) return 'wrong';
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep <= 0) return 'wrong';
    const userOk = timingSafeEqual(digest(decoded.slice(0, sep)), expectedUser);
    const passwordOk = timingSafeEqual(digest(decoded.slice(sep + 1)), expectedPassword);
    return userOk && passwordOk ? 'valid' : 'wrong';
  };
}
