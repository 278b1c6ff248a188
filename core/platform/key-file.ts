/**
 * Secrets the embedded mode keeps in the data dir: the master key (created 0600 on first start)
 * and the embedded Redis password (redis.pass, same rules).
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
  return parseSecretKey(loadOrCreateSecretFile(dataDir, 'secret.key', () => randomBytes(32).toString('base64')));
}

/** A secret kept in `<dataDir>/<name>`: made once (0600, in a 0700 folder), its mode tightened if loosened. */
export function loadOrCreateSecretFile(dataDir: string, name: string, make: () => string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, name);
  if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600, flag: 'wx' });
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
}
