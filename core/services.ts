/** Wires the core services on one Redis connection; used by the gateway, the worker and tests. */
import type { Redis } from 'ioredis';
import { AdminTokens } from './admin-tokens.ts';
import type { Config } from './config.ts';
import { ConnectionStore } from './connections/store.ts';
import { createSecretBox, type SecretBox } from './crypto.ts';
import { Directory } from './directory/index.ts';
import type { ConvergeQueue } from './queue.ts';

export interface CoreServices {
  box: SecretBox;
  connections: ConnectionStore;
  directory: Directory;
  adminTokens: AdminTokens;
}

export function createCoreServices(redis: Redis, config: Config, key: Buffer, queue: ConvergeQueue): CoreServices {
  const box = createSecretBox(key);
  return {
    box,
    connections: new ConnectionStore(redis, config.redisPrefix, box),
    directory: new Directory(redis, { prefix: config.redisPrefix, queue, maxPageSize: config.maxPageSize }),
    adminTokens: new AdminTokens(redis, config.redisPrefix, box, config.adminToken),
  };
}
