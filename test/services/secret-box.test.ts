import { expect } from 'chai';
import { Keyring } from '../../src/keyring.js';
import { createSecretBox } from '../../src/services/crypto/secret-box.js';

describe('SecretBox (AES-256-GCM for secrets at rest)', () => {
  const box = createSecretBox(new Keyring('one-secret-0123456789abcdef0123456789').derive('credentials'));
  const other = createSecretBox(new Keyring('another-secret-0123456789abcdef012345').derive('credentials'));

  it('round-trips a value in a versioned text format, never the same ciphertext twice', () => {
    const sealed = box.seal('smtp-password-ü');
    expect(sealed).to.match(/^nxf1\.[\w-]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).to.not.contain('smtp-password');
    expect(box.open(sealed)).to.equal('smtp-password-ü');
    expect(box.seal('smtp-password-ü')).to.not.equal(sealed);
    expect(box.isSealed(sealed)).to.equal(true);
    expect(box.isSealed('plain')).to.equal(false);
  });

  it('fails loudly with a coded error for a value sealed under another key', () => {
    const sealed = other.seal('x');
    expect(() => box.open(sealed))
      .to.throw()
      .with.property('code', 'NXF_SECRET_KEY_MISMATCH');
  });

  it('refuses an altered value, a value bound to another context, and garbage', () => {
    const sealed = box.seal('webhook-secret', 'channel:1');
    expect(box.open(sealed, 'channel:1')).to.equal('webhook-secret');
    expect(() => box.open(sealed, 'channel:2'))
      .to.throw()
      .with.property('code', 'NXF_SECRET_CORRUPT');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    parts[4] = flipped.toString('base64url');
    expect(() => box.open(parts.join('.'), 'channel:1'))
      .to.throw()
      .with.property('code', 'NXF_SECRET_CORRUPT');
    expect(() => box.open('not sealed'))
      .to.throw()
      .with.property('code', 'NXF_SECRET_CORRUPT');
  });
});
