/**
 * A connector's vault: per-connection values a connector keeps between runs (Spekit's API token),
 * in one Redis hash, each value sealed with AES-256-GCM and bound to its connection and key.
 */
import type { Redis } from 'ioredis';
import type { ConnectorVault } from '../core/connector.ts';
import type { SecretBox } from '../core/crypto.ts';
import { vaultKey } from '../core/store/keys.ts';

export { vaultKey };

export function createRedisVault(
  redis: Redis,
  prefix: string,
  box: SecretBox,
  connectionId: string,
  /** Called with every value read or written, so evidence and logs mask it. */
  onSecret: (value: string) => void = () => {},
): ConnectorVault {
  const key = vaultKey(prefix, connectionId);
  const aad = (name: string) => `vault:${connectionId}:${name}`;
  return {
    async get(name) {
      const sealed = await redis.hget(key, name);
      if (sealed === null) return undefined;
      const value = box.decryptString(sealed, aad(name));
      onSecret(value);
      return value;
    },
    async set(name, value) {
      onSecret(value);
      await redis.hset(key, name, box.encrypt(value, aad(name)));
    },
  };
}

/**
 * Every value in a connection's vault, opened: a run masks them all from its first screenshot,
 * because a reused session skips the login that would otherwise have read them.
 */
export async function vaultSecrets(redis: Redis, prefix: string, box: SecretBox, connectionId: string): Promise<string[]> {
  const all = await redis.hgetall(vaultKey(prefix, connectionId));
  return Object.entries(all).map(([name, sealed]) => box.decryptString(sealed, `vault:${connectionId}:${name}`));
}
