import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Keys derived from NXFORGE_SECRET, one per purpose (CSRF tokens, credential encryption…), so that a key leaked
 * or rotated for one purpose says nothing about another.
 */
export class Keyring {
  readonly #secret: Buffer;
  /** Derived keys by purpose: HKDF is cheap, but CSRF tokens are signed on every request. */
  readonly #derived = new Map<string, Buffer>();

  constructor(secret: string) {
    this.#secret = Buffer.from(secret, 'utf8');
  }

  /** A 32-byte key for `purpose`, stable for a given secret. */
  derive(purpose: string): Buffer {
    let key = this.#derived.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.#secret, Buffer.alloc(0), `nxforge:${purpose}`, 32));
      this.#derived.set(purpose, key);
    }
    return key;
  }

  /** HMAC-SHA256 of `data` under the key for `purpose`, base64url. */
  sign(purpose: string, data: string): string {
    return createHmac('sha256', this.derive(purpose)).update(data).digest('base64url');
  }

  /** Constant-time check that `signature` is `sign(purpose, data)`. */
  verify(purpose: string, data: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(purpose, data));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/**
 * The secret from the environment, else the one kept in `<dataDir>/secret`, generated there (owner-only) on first
 * start so sessions and encrypted credentials survive restarts without any set-up.
 */
export async function resolveSecret(dataDir: string, fromEnv?: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
