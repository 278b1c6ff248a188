/**
 * At every gateway and worker start: the key layout upgrade (core/platform/key-layout.ts) and the
 * move of BullMQ jobs left under the old queue prefix (runner/queue-layout.ts). Both are
 * idempotent, so processes starting together may all run it.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.ts';
import { migrateKeyLayout } from '../core/platform/key-layout.ts';
import { moveOldQueue } from '../runner/queue-layout.ts';

export async function upgradeKeyLayout(redis: Redis, prefix: string, logger: Logger): Promise<void> {
  const moved = await moveOldQueue(redis, prefix);
  const layout = await migrateKeyLayout(redis, prefix);
  // A fresh Redis only gets the layout marker: nothing was upgraded, so nothing is said.
  if (moved > 0 || layout.renamed > 0) logger.info({ ...layout, jobsMoved: moved }, 'redis key layout upgraded');
}
