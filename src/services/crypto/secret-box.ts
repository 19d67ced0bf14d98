import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { NxfError } from '../../errors.js';

/**
 * Authenticated encryption of secrets at rest (device and channel credentials): AES-256-GCM under a key derived
 * from NXFORGE_SECRET (`keyring.derive('credentials')`).
 *
 * Sealed format, all text so it fits a `text` column: `nxf1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 * `nxf1` is the format version; `keyId` is a short fingerprint of the key, so a value sealed under another
 * NXFORGE_SECRET is reported as such instead of as tampering. GCM's tag makes any other change fail too: a value
 * never decrypts to garbage.
 */
export interface SecretBox {
  /** Encrypts `plaintext`; `context` (e.g. a row id) is bound as associated data and must be given again to open. */
  seal(plaintext: string, context?: string): string;
  /**
   * Decrypts a sealed value.
   * @throws NxfError NXF_SECRET_KEY_MISMATCH (sealed under another key), NXF_SECRET_CORRUPT (altered, wrong context
   *   or not a sealed value).
   */
  open(sealed: string, context?: string): string;
  /** True when `value` looks like a sealed value of this format (of any key). */
  isSealed(value: string): boolean;
}

const version = 'nxf1';
const ivLength = 12;

/** A SecretBox over a 32-byte key. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new NxfError('NXF_SECRET_KEY', 'The credentials key must be 32 bytes.');
  const keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);

  const seal = (plaintext: string, context = ''): string => {
    const iv = randomBytes(ivLength);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`${version}:${context}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [version, keyId, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  };

  const open = (sealed: string, context = ''): string => {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== version) {
      throw new NxfError('NXF_SECRET_CORRUPT', `Not an encrypted value of format ${version}.`);
    }
    const [, sealedKeyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    if (sealedKeyId !== keyId) {
      throw new NxfError(
        'NXF_SECRET_KEY_MISMATCH',
        'A stored secret was encrypted under another NXFORGE_SECRET; restore that secret or enter the credential again.',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${version}:${context}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new NxfError('NXF_SECRET_CORRUPT', 'A stored secret failed its integrity check (altered or misplaced).', {
        cause: error,
      });
    }
  };

  return { seal, open, isSealed: (value) => value.startsWith(`${version}.`) && value.split('.').length === 5 };
}
