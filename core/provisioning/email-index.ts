/**
 * Which SCIM ids of a connection have been converged under an address (`<base>:prov-email:<email>`,
 * a set of user ids). The app knows people by email, not by our ids: a deleted user and the user
 * created again under the same address are two ids for one account, and a run for one must know
 * the other (runner/shared-email.ts). The runner adds an id whenever it converges it; entries that
 * went stale (the id moved to another address or was forgotten) are dropped by whoever reads them.
 */
import type { Redis } from 'ioredis';
import { connectionKeys } from '../store/keys.ts';

export class EmailIndex {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(connectionId: string, email: string): string {
    return `${connectionKeys(this.prefix, connectionId).base}:prov-email:${email.toLowerCase()}`;
  }

  async add(connectionId: string, email: string, userId: string): Promise<void> {
    await this.redis.sadd(this.key(connectionId, email), userId);
  }

  async ids(connectionId: string, email: string): Promise<string[]> {
    return this.redis.smembers(this.key(connectionId, email));
  }

  async drop(connectionId: string, email: string, userId: string): Promise<void> {
    await this.redis.srem(this.key(connectionId, email), userId);
  }
}
