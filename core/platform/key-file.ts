/**
 * Secrets the embedded mode keeps in the data dir: the master key (created 0600 on first start)
 * and the admin token's keyed hash (the token itself is printed once and never stored).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSecretKey } from '../crypto.ts';

export function loadOrCreateKey(dataDir: string, fromEnv: string | undefined, external: boolean): Buffer {
  if (fromEnv) return parseSecretKey(fromEnv);
  if (external) {
    throw new Error('SCIMWRIGHT_SECRET_KEY: required when REDIS_URL points at a shared Redis (32 bytes, hex or base64)');
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'secret.key');
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return parseSecretKey(readFileSync(path, 'utf8'));
}
