/** What the directory services need, and who is asking. */
import type { Redis } from 'ioredis';
import type { ProvisioningStore } from '../provisioning/state.ts';
import type { ResourceStore } from '../store/resource-store.ts';

export interface RequestContext {
  connectionId: string;
  /** The connection's SCIM base URL, for meta.location and $ref. */
  baseUrl: string;
  requestId: string;
  /** Public id of the token that authenticated the request (never the token). */
  tokenId: string;
}

export interface DirectoryDeps {
  redis: Redis;
  resources: ResourceStore;
  provisioning: ProvisioningStore;
  maxPageSize: number;
  /** Records the request in each user's history and asks for a converge of those users. */
  afterChange(ctx: RequestContext, userIds: string[], request: string): Promise<void>;
  /** Drops a member from a group (used when a user is deleted). */
  removeMember(ctx: RequestContext, groupId: string, userId: string): Promise<void>;
}
