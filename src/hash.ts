import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 hex digest; used to store high-entropy secrets (session ids, API tokens) without storing them. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A random URL-safe secret of `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
