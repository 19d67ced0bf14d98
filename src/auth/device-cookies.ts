import { randomToken } from '../hash.js';
import type { Keyring } from '../keyring.js';

/** How long a browser stays known after its last successful sign-in. */
export const deviceCookieDays = 180;

/**
 * Device cookies (OWASP's answer to lockouts by strangers): at each successful sign-in the browser gets a signed
 * statement "this browser signed in as <user>", under a fresh random id. An attempt that carries a valid one for
 * the user it names is throttled on that device alone, so failures from elsewhere never lock it out.
 */
export class DeviceCookies {
  constructor(private readonly keyring: Keyring) {}

  /** A new cookie value for `userId`. */
  issue(userId: string): string {
    const payload = `${userId}.${randomToken(16)}`;
    return `${payload}.${this.keyring.sign('device-cookie', payload)}`;
  }

  /** The device id of `value` when it is a valid cookie for `userId`, else undefined. */
  deviceId(value: string | undefined, userId: string): string | undefined {
    const [id, nonce, signature, ...rest] = (value ?? '').split('.');
    if (id !== userId || !nonce || !signature || rest.length > 0) return undefined;
    return this.keyring.verify('device-cookie', `${id}.${nonce}`, signature) ? nonce : undefined;
  }
}
