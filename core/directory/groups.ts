/**
 * SCIM Groups of one connection. Membership is mirrored into per-user sets in the same atomic
 * write, and every user whose groups changed (or whose group was renamed, since groups map to app
 * roles by name) gets a provisioning bump and a converge.
 */
import { randomUUID } from 'node:crypto';
import { ScimError } from '../errors.ts';
import { applyPatch, applyPatchSliced } from '../scim/patch.ts';
import { checkDocument } from '../scim/limits.ts';
import { CORE_GROUP } from '../scim/attribute-path.ts';
import type { ProvisioningBump, SetChange } from '../store/save-script.ts';
import type { SaveEffects, ScimResource, StoredResource } from '../store/resource-store.ts';
import type { DirectoryDeps, RequestContext } from './context.ts';
import { parseGroupInput, type GroupInput } from './input.ts';
import { listResources, type ListQuery } from './query.ts';
import { renderGroup } from './render.ts';
import { TimeSlice, yieldToLoop } from './time-slice.ts';

type Member = { value: string; display?: string };

function memberIds(resource: ScimResource | null): string[] {
  return ((resource?.members ?? []) as Member[]).map((m) => m.value);
}

function buildGroup(input: GroupInput, id: string, created: string): ScimResource {
  const seen = new Set<string>();
  const members: Member[] = [];
  for (const m of input.members ?? []) {
    if (seen.has(m.value)) continue; // duplicates in one request collapse (RFC 7644 §3.5.2.1)
    seen.add(m.value);
    members.push({ value: m.value, ...(m.display ? { display: m.display } : {}) });
  }
  return {
    schemas: [CORE_GROUP],
    id,
    displayName: input.displayName,
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    members,
    meta: { resourceType: 'Group', created, lastModified: new Date().toISOString() },
  };
}

function writable(resource: unknown): unknown {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) return resource;
  const { id: _id, meta: _meta, ...rest } = resource as Record<string, unknown>;
  return rest;
}

export class Groups {
  constructor(private readonly deps: DirectoryDeps) {}

  /** Membership set changes plus bumps for users whose desired state may have moved. */
  private effects(ctx: RequestContext, before: ScimResource | null, after: ScimResource | null): { effects: SaveEffects; affected: string[] } {
    const keys = this.deps.resources.keys(ctx.connectionId);
    const groupId = (after ?? before)!.id;
    const old = new Set(memberIds(before));
    const now = new Set(memberIds(after));
    const added = [...now].filter((id) => !old.has(id));
    const removed = [...old].filter((id) => !now.has(id));
    const sets: SetChange[] = [
      ...added.map((id) => ({ key: keys.memberOf(id), add: [groupId] })),
      ...removed.map((id) => ({ key: keys.memberOf(id), rem: [groupId] })),
    ];
    const renamed = before && after && String(before.displayName).toLowerCase() !== String(after.displayName).toLowerCase();
    const affected = renamed || !after ? [...new Set([...old, ...now])] : [...added, ...removed];
    const bump: ProvisioningBump[] = affected.map((id) => ({
      id, key: keys.prov(id), fields: ['requestId', ctx.requestId, 'tokenId', ctx.tokenId],
    }));
    return { effects: { sets, bump }, affected };
  }

  /** Members must be users of this connection (RFC 7644 §3.5.2: invalid references → invalidValue). */
  private async checkMembers(ctx: RequestContext, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    // Existence only: reading and parsing every member's document made big groups slow (issue 11).
    const known = await this.deps.resources.existingIds(ctx.connectionId, 'User', ids);
    const missing = ids.find((id) => !known.has(id));
    if (missing) throw ScimError.badRequest('invalidValue', `members: "${missing}" is not a user of this connection.`);
  }

  async create(ctx: RequestContext, body: unknown) {
    checkDocument(body);
    const input = parseGroupInput(body);
    const resource = buildGroup(input, randomUUID(), new Date().toISOString());
    await this.checkMembers(ctx, memberIds(resource));
    const { effects, affected } = this.effects(ctx, null, resource);
    const stored = await this.deps.resources.create(ctx.connectionId, 'Group', resource, effects);
    await this.deps.afterChange(ctx, affected, 'POST /Groups');
    await yieldToLoop();
    return this.render(ctx, stored);
  }

  async get(ctx: RequestContext, id: string) {
    const stored = await this.deps.resources.get(ctx.connectionId, 'Group', id);
    if (!stored) throw ScimError.notFound(`Group "${id}" not found.`);
    return this.render(ctx, stored);
  }

  async replace(ctx: RequestContext, id: string, body: unknown, ifMatch?: number) {
    checkDocument(body);
    const input = parseGroupInput(writable(body));
    return this.write(ctx, id, `PUT /Groups/${id}`, ifMatch, (current) => buildGroup(input, id, (current.resource.meta as { created: string }).created));
  }

  async patch(ctx: RequestContext, id: string, body: unknown, ifMatch?: number) {
    checkDocument(body);
    const rebuild = (current: StoredResource, patched: Record<string, unknown>) =>
      buildGroup(parseGroupInput(writable(patched)), id, (current.resource.meta as { created: string }).created);
    return this.write(ctx, id, `PATCH /Groups/${id}`, ifMatch,
      (current) => rebuild(current, applyPatch(current.resource, body, { resourceType: 'Group' })),
      // Thousands of member operations: applied a slice at a time, other requests run between.
      async (current, slice) => {
        const patched = await applyPatchSliced(current.resource, body, { resourceType: 'Group', slice });
        await slice.pause();
        return rebuild(current, patched);
      });
  }

  private async write(
    ctx: RequestContext, id: string, request: string, ifMatch: number | undefined,
    build: (current: StoredResource) => ScimResource,
    preview: (current: StoredResource, slice: TimeSlice) => Promise<ScimResource> = async (current) => build(current),
  ) {
    let affected: string[] = [];
    // Member existence is checked before the atomic write; a user deleted in between is removed
    // from the group by that delete, which runs after and sees the new membership.
    const current = await this.deps.resources.get(ctx.connectionId, 'Group', id);
    if (!current) throw ScimError.notFound(`Group "${id}" not found.`);
    const slice = new TimeSlice();
    const next = await preview(current, slice);
    await slice.pause();
    const old = new Set(memberIds(current.resource));
    await this.checkMembers(ctx, memberIds(next).filter((m) => !old.has(m)));
    const { after } = await this.deps.resources.update(ctx.connectionId, 'Group', id, (latest) => {
      // The preview already is the result unless another writer got in between (halves big PATCHes).
      const resource = latest.version === current.version ? next : build(latest);
      const result = this.effects(ctx, latest.resource, resource);
      affected = result.affected;
      return { resource, effects: result.effects };
    }, ifMatch);
    await this.deps.afterChange(ctx, affected, request);
    await yieldToLoop();
    return this.render(ctx, after);
  }

  async delete(ctx: RequestContext, id: string) {
    let affected: string[] = [];
    await this.deps.resources.delete(ctx.connectionId, 'Group', id, (current) => {
      const result = this.effects(ctx, current.resource, null);
      affected = result.affected;
      return result.effects;
    });
    await this.deps.afterChange(ctx, affected, `DELETE /Groups/${id}`);
  }

  /** Used when a user is deleted. */
  async removeMember(ctx: RequestContext, groupId: string, userId: string) {
    try {
      await this.deps.resources.update(ctx.connectionId, 'Group', groupId, (current) => {
        const resource = { ...current.resource, members: ((current.resource.members ?? []) as Member[]).filter((m) => m.value !== userId) };
        return { resource, effects: this.effects(ctx, current.resource, resource).effects };
      });
    } catch (error) {
      if (!(error instanceof ScimError && error.status === 404)) throw error;
    }
  }

  async list(ctx: RequestContext, query: ListQuery) {
    const page = await listResources(this.deps.resources, ctx.connectionId, 'Group', query, this.deps.maxPageSize);
    return { ...page, resources: page.resources.map((r) => renderGroup(r, ctx.baseUrl)) };
  }

  private render(ctx: RequestContext, stored: StoredResource) {
    return { resource: renderGroup(stored, ctx.baseUrl), version: stored.version };
  }
}
