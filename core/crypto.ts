/**
 * Secrets at rest: AES-256-GCM for what must be read back (admin passwords, TOTP secrets, saved
 * browser logins, app tokens) and keyed HMAC-SHA256 for what only needs comparing (SCIM tokens).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';

export interface SecretBox {
  /** `aad` binds a ciphertext to its owner (e.g. a connection id) so it cannot be moved. */
  encrypt(plaintext: string | Buffer, aad?: string): string;
  decrypt(sealed: string, aad?: string): Buffer;
  decryptString(sealed: string, aad?: string): string;
  /** Keyed hash for lookups and constant-time comparison. */
  hash(value: string): string;
}

function subkey(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
}

export function createSecretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length !== 32) throw new Error('the secret key must be 32 bytes');
  const encKey = subkey(masterKey, 'scimwright/encrypt/v1');
  const macKey = subkey(masterKey, 'scimwright/token-hash/v1');
  const box: SecretBox = {
    encrypt(plaintext, aad = '') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    decrypt(sealed, aad = '') {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    },
    decryptString(sealed, aad) {
      return box.decrypt(sealed, aad).toString('utf8');
    },
    hash(value) {
      return createHmac('sha256', macKey).update(value).digest('base64url');
    },
  };
  return box;
}

/** Compares two strings without leaking where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A SCIM bearer token: `scim_` + 32 random bytes, base64url. */
export function generateScimToken(): string {
  return `scim_${randomBytes(32).toString('base64url')}`;
}

/** Parses SCIMWRIGHT_SECRET_KEY: 32 bytes as 64 hex characters or base64. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error('SCIMWRIGHT_SECRET_KEY must be 32 bytes (64 hex characters or base64)');
  return key;
}
