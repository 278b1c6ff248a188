/** The desired state of every connection: SCIM Users and Groups plus the converge hook. */
import type { Redis } from 'ioredis';
import type { ConvergeQueue } from '../queue.ts';
import { ProvisioningStore } from '../provisioning/state.ts';
import { ResourceStore } from '../store/resource-store.ts';
import type { DirectoryDeps, RequestContext } from './context.ts';
import { Groups } from './groups.ts';
import { batches, yieldToLoop } from './time-slice.ts';
import { Users } from './users.ts';

export type { RequestContext } from './context.ts';

/** How many SCIM requests are kept in each user's history (for the reviewer's timeline). */
const HISTORY_LENGTH = 200;

export class Directory {
  readonly users: Users;
  readonly groups: Groups;
  readonly resources: ResourceStore;
  readonly provisioning: ProvisioningStore;

  constructor(private readonly redis: Redis, private readonly options: { prefix: string; queue: ConvergeQueue; maxPageSize: number }) {
    this.resources = new ResourceStore(redis, options.prefix);
    this.provisioning = new ProvisioningStore(redis, options.prefix);
    const deps: DirectoryDeps = {
      redis,
      resources: this.resources,
      provisioning: this.provisioning,
      maxPageSize: options.maxPageSize,
      afterChange: (ctx, userIds, request) => this.afterChange(ctx, userIds, request),
      removeMember: (ctx, groupId, userId) => this.groups.removeMember(ctx, groupId, userId),
    };
    this.users = new Users(deps);
    this.groups = new Groups(deps);
  }

  private async afterChange(ctx: RequestContext, userIds: string[], request: string): Promise<void> {
    if (userIds.length === 0) return;
    const keys = this.resources.keys(ctx.connectionId);
    const entry = JSON.stringify({ at: new Date().toISOString(), request, requestId: ctx.requestId, tokenId: ctx.tokenId });
    // A group write can name thousands of users: a pipeline and an enqueue per batch, each
    // encoded in one short slice of the loop (issue 11).
    for (const batch of batches(userIds)) {
      const pipeline = this.redis.pipeline();
      for (const id of batch) pipeline.lpush(keys.history(id), entry).ltrim(keys.history(id), 0, HISTORY_LENGTH - 1);
      await pipeline.exec();
    }
    await this.provisioning.audit.recordRequest(ctx, userIds, request);
    for (const batch of batches(userIds)) {
      await this.options.queue.enqueue(batch.map((userId) => ({ connectionId: ctx.connectionId, userId })));
      await yieldToLoop();
    }
  }

  /** Asks for every user of a connection to be converged again (after a policy change). */
  async reconverge(connectionId: string, queue: ConvergeQueue = this.options.queue): Promise<number> {
    const ids = await this.provisioning.userIds(connectionId);
    for (const batch of batches(ids)) await queue.enqueue(batch.map((userId) => ({ connectionId, userId })));
    return ids.length;
  }

  /**
   * Finishes the per-user writes that big group writes left half applied when a process died
   * (core/store/fan-out.ts); run once at start. Returns how many writes were finished.
   */
  async finishFanOuts(connectionIds: string[]): Promise<number> {
    let finished = 0;
    for (const id of connectionIds) finished += await this.resources.finishFanOuts(id);
    return finished;
  }

  /** The SCIM requests that changed a user, newest first. */
  async history(connectionId: string, userId: string): Promise<Array<{ at: string; request: string; requestId: string; tokenId: string }>> {
    const rows = await this.redis.lrange(this.resources.keys(connectionId).history(userId), 0, -1);
    return rows.map((row) => JSON.parse(row));
  }
}
