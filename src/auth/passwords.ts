import { hash, verify } from '@node-rs/argon2';
import { randomToken } from '../hash.js';

/** Passwords are hashed with Argon2id (the library's defaults follow OWASP's recommended parameters). */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Checks `password` against a stored hash; false for a malformed hash rather than an exception. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * Spends the same time as a real check, for logins naming an unknown user, so response times do not reveal
 * which usernames exist.
 */
let decoyHash: Promise<string> | undefined;
export async function verifyDecoy(password: string): Promise<void> {
  decoyHash ??= hashPassword(randomToken());
  await verifyPassword(await decoyHash, password);
}

/** A password for generated credentials (first admin, resets): 20 URL-safe characters. */
export function generatePassword(): string {
  return randomToken(15);
}
