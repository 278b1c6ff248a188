/**
 * Moves a deployment's keys from layout 1 (no hash tags, before Redis Cluster support) to the
 * layout core/store/keys.ts builds now. Idempotent and safe to run from every gateway and worker
 * at start: each old key is RENAMEd once (RENAMENX; a key another process moved first is skipped),
 * and `layoutKey` records the version when all are moved, so later starts cost one GET.
 * BullMQ's queue is moved apart (runner/queue-layout.ts), since BullMQ owns those keys.
 * A Cluster never held layout 1 (its cross-slot scripts would have failed), so it is only marked.
 */
import type { Redis } from 'ioredis';
import { KEY_LAYOUT_VERSION, layoutKey } from '../store/keys.ts';
import { isCluster } from './redis-client.ts';
import { scanKeys } from './redis-scan.ts';

/** Layout-1 keys whose name changed, as prefix-relative rules: the first that matches wins. */
const RULES: Array<[RegExp, (p: string, m: RegExpExecArray) => string]> = [
  // Runs and their indexes moved next to the run records, under the global tag.
  [/^c:([a-z0-9-]+):runs$/, (p, m) => `{${p}}:runs:c:${m[1]}`],
  [/^c:([a-z0-9-]+):runs:(.*)$/s, (p, m) => `{${p}}:runs:c:${m[1]}:${m[2]}`],
  [/^c:([a-z0-9-]+):(.*)$/s, (p, m) => `{${p}:c:${m[1]}}:${m[2]}`],
  [/^audit:(.*)$/s, (p, m) => `{${p}:audit}:${m[1]}`],
  [/^(connection|connection-token|token|session|run|worker-alive):(.*)$/s, (p, m) => `{${p}}:${m[1]}:${m[2]}`],
  [/^(connections|runs:live)$/, (p, m) => `{${p}}:${m[1]}`],
  [/^(console-session|console-reveal):([0-9a-f]+)$/, (p, m) => `${p}:${m[1]}:{${m[2]}}`],
];

/** The layout-2 name of a layout-1 key, or undefined when the key kept its name. */
export function newKeyName(prefix: string, key: string): string | undefined {
  if (!key.startsWith(`${prefix}:`)) return undefined;
  const rest = key.slice(prefix.length + 1);
  for (const [pattern, rename] of RULES) {
    const match = pattern.exec(rest);
    if (match) return rename(prefix, match);
  }
  return undefined;
}

export interface LayoutMigration {
  from: number;
  to: number;
  renamed: number;
}

/** Brings the keys under `prefix` to KEY_LAYOUT_VERSION; returns what it did. */
export async function migrateKeyLayout(redis: Redis, prefix: string): Promise<LayoutMigration> {
  const marker = layoutKey(prefix);
  const from = Number((await redis.get(marker)) ?? 1);
  if (from >= KEY_LAYOUT_VERSION) return { from, to: from, renamed: 0 };
  let renamed = 0;
  if (!isCluster(redis)) {
    for await (const keys of scanKeys(redis, `${prefix}:*`)) {
      for (const key of keys) {
        const target = newKeyName(prefix, key);
        // 0: the key is gone (moved by another process) or its new name exists already.
        if (target) renamed += Number(await redis.renamenx(key, target).catch(() => 0));
      }
    }
  }
  await redis.set(marker, String(KEY_LAYOUT_VERSION));
  return { from, to: KEY_LAYOUT_VERSION, renamed };
}
