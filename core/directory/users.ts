/**
 * SCIM Users of one connection: validate, store atomically with the user's provisioning bump,
 * then ask for a converge. A rejected request changes nothing (validation precedes every write).
 */
import { randomUUID } from 'node:crypto';
import { ScimError } from '../errors.ts';
import { applyPatch } from '../scim/patch.ts';
import { checkDocument, pruneDeep, tooDeep } from '../scim/limits.ts';
import { checkUserName } from '../scim/user-name.ts';
import { CORE_USER, ENTERPRISE_USER } from '../scim/attribute-path.ts';
import { ProvisioningStore } from '../provisioning/state.ts';
import type { JoinedResource, ReadJoin, ScimResource, StoredResource } from '../store/resource-store.ts';
import type { DirectoryDeps, RequestContext } from './context.ts';
import { parseUserInput, PROVISIONING_EXTENSION, type UserInput } from './input.ts';
import type { ProjectionOptions } from '../scim/projection.ts';
import { projectionMayKeep } from './projection-needs.ts';
import { listPageText, listResources, type ListQuery } from './query.ts';
import { renderUser, type GroupRef } from './render.ts';
import { renderUserText } from './render-text.ts';

/** The joins a user read carries, and which of the two are among them (in this order). */
interface Wanted {
  groups: boolean;
  prov: boolean;
  joins: ReadJoin[];
}

/** A stored body parsed as ResourceStore reads it: too-deep branches an older version let through pruned. */
function parsedBody(body: string, version: number): StoredResource {
  const resource = JSON.parse(body) as ScimResource;
  return { resource: tooDeep(resource) ? pruneDeep(resource) : resource, version };
}

function buildUser(input: UserInput, id: string, created: string): ScimResource {
  const { schemas: _schemas, ...attributes } = input;
  const schemas = input[ENTERPRISE_USER] ? [CORE_USER, ENTERPRISE_USER] : [CORE_USER];
  return {
    schemas,
    id,
    ...attributes,
    active: input.active ?? true,
    meta: { resourceType: 'User', created, lastModified: new Date().toISOString() },
  };
}

/** Strips what clients may send but never set: read-only attributes and our own extension. */
function writable(resource: unknown): unknown {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) return resource;
  const { id: _id, meta: _meta, groups: _groups, [PROVISIONING_EXTENSION]: _prov, ...rest } = resource as Record<string, unknown>;
  return rest;
}

/** A new or changed userName is checked for look-alike characters; one stored by an older
 * version is kept as it is, so that the user can still be deprovisioned. */
function checked(input: UserInput, raw: unknown, current?: ScimResource): UserInput {
  if (input.userName === current?.userName) return input;
  // The value as sent: parsing trims, which would hide a leading U+FEFF or a trailing CR.
  const sent = typeof raw === 'object' && raw !== null
    ? Object.entries(raw).find(([k]) => k.toLowerCase() === 'username')?.[1] : undefined;
  checkUserName(typeof sent === 'string' ? sent : input.userName);
  return input;
}

export class Users {
  constructor(private readonly deps: DirectoryDeps) {}

  private bump(ctx: RequestContext, resource: ScimResource, deleted = false) {
    const key = this.deps.resources.keys(ctx.connectionId).prov(resource.id);
    const fields = ['userName', String(resource.userName), 'deleted', deleted ? '1' : '0', 'requestId', ctx.requestId, 'tokenId', ctx.tokenId];
    return [{ id: resource.id, key, fields }];
  }

  async create(ctx: RequestContext, body: unknown) {
    checkDocument(body);
    const input = checked(parseUserInput(body), body);
    const now = new Date().toISOString();
    const resource = buildUser(input, randomUUID(), now);
    const stored = await this.deps.resources.create(ctx.connectionId, 'User', resource, { bump: this.bump(ctx, resource) });
    await this.deps.afterChange(ctx, [resource.id], 'POST /Users');
    return this.render(ctx, stored);
  }

  async get(ctx: RequestContext, id: string) {
    const wanted = this.joins(ctx);
    const [stored] = await this.deps.resources.getManyJoined(ctx.connectionId, 'User', [id], wanted.joins);
    if (!stored) throw ScimError.notFound(`User "${id}" not found.`);
    const [resource] = await this.renderJoined(ctx, [stored], wanted);
    return { resource: resource!, version: stored.version };
  }

  async replace(ctx: RequestContext, id: string, body: unknown, ifMatch?: number) {
    checkDocument(body);
    const input = parseUserInput(writable(body));
    const { after } = await this.deps.resources.update(ctx.connectionId, 'User', id, (current) => {
      checked(input, body, current.resource);
      const meta = current.resource.meta as { created: string };
      const resource = buildUser(input, id, meta.created);
      return { resource, effects: { bump: this.bump(ctx, resource) } };
    }, ifMatch);
    await this.deps.afterChange(ctx, [id], `PUT /Users/${id}`);
    return this.render(ctx, after);
  }

  async patch(ctx: RequestContext, id: string, body: unknown, ifMatch?: number) {
    checkDocument(body);
    let changed = true;
    const { after } = await this.deps.resources.update(ctx.connectionId, 'User', id, (current) => {
      const patched = applyPatch(current.resource, body, { resourceType: 'User' });
      // Validate the result as a whole: a PATCH may not leave a user a POST would refuse.
      const input = checked(parseUserInput(writable(patched)), patched, current.resource);
      const meta = current.resource.meta as { created: string };
      const resource = buildUser(input, id, meta.created);
      changed = JSON.stringify(writable({ ...resource, meta: 0 })) !== JSON.stringify(writable({ ...current.resource, meta: 0 }));
      return { resource: changed ? resource : current.resource, effects: changed ? { bump: this.bump(ctx, resource) } : {} };
    }, ifMatch);
    if (changed) await this.deps.afterChange(ctx, [id], `PATCH /Users/${id}`);
    return this.render(ctx, after);
  }

  async delete(ctx: RequestContext, id: string) {
    const keys = this.deps.resources.keys(ctx.connectionId);
    // A big group write may still be applying its members' sets (a crash left one, or it runs
    // now): finished first, so this user's set names every group that holds it.
    await this.deps.resources.finishFanOuts(ctx.connectionId);
    const groupIds = await this.deps.redis.smembers(keys.memberOf(id));
    await this.deps.resources.delete(ctx.connectionId, 'User', id, (current) => ({
      bump: this.bump(ctx, current.resource, true),
    }));
    await this.deps.redis.del(keys.memberOf(id));
    // RFC 7644 §3.6: a deleted user leaves the groups that referenced it.
    for (const groupId of groupIds) await this.deps.removeMember(ctx, groupId, id);
    await this.deps.afterChange(ctx, [id], `DELETE /Users/${id}`);
  }

  async list(ctx: RequestContext, query: ListQuery & ProjectionOptions) {
    const wanted = this.joins(ctx, query);
    const page = await listResources(this.deps.resources, ctx.connectionId, 'User', query, this.deps.maxPageSize, wanted.joins);
    return { ...page, resources: await this.renderJoined(ctx, page.resources, wanted) };
  }

  /**
   * An unprojected, unfiltered page with each user rendered as JSON text, byte for byte what
   * list() and JSON.stringify give, without parsing the stored bodies (issue 13); undefined for
   * any other list, which takes list().
   */
  async listText(ctx: RequestContext, query: ListQuery & ProjectionOptions) {
    if (query.attributes || query.excludedAttributes) return undefined;
    const wanted = this.joins(ctx);
    const page = await listPageText(this.deps.redis, this.deps.resources, ctx.connectionId, 'User', query, this.deps.maxPageSize, wanted.joins);
    if (!page) return undefined;
    const views = await this.joinedViews(ctx, page.rows, wanted);
    const resources = page.rows.map((r, i) => {
      const { groups, prov } = views[i]!;
      return renderUserText(r.body, r.shape, r.version, ctx.baseUrl, groups, prov) ?? JSON.stringify(renderUser(parsedBody(r.body, r.version), ctx.baseUrl, groups, prov, true));
    });
    return { totalResults: page.totalResults, startIndex: page.startIndex, resources };
  }

  /**
   * What a rendered user needs besides its body, read in the same script call as the users:
   * its groups (reverse membership set) and the fields of its provisioning state the view shows.
   * What the projection asked for certainly drops is not read (rendered empty, then dropped).
   */
  private joins(ctx: RequestContext, projection: ProjectionOptions = {}): Wanted {
    const groups = projectionMayKeep(projection, 'groups');
    const prov = projectionMayKeep(projection, PROVISIONING_EXTENSION);
    const joins: ReadJoin[] = [];
    if (groups) joins.push({ kind: 'set', prefix: this.deps.resources.keys(ctx.connectionId).memberOf('') });
    if (prov) joins.push(this.deps.provisioning.viewJoin(ctx.connectionId));
    return { groups, prov, joins };
  }

  /**
   * Renders users read with joins() for this answer alone (so in place); only the names of their
   * groups take one more read.
   */
  private async renderJoined(ctx: RequestContext, rows: JoinedResource[], wanted: Wanted) {
    const views = await this.joinedViews(ctx, rows, wanted);
    return rows.map((r, i) => renderUser(r, ctx.baseUrl, views[i]!.groups, views[i]!.prov, true));
  }

  /** Each row's groups (by name) and provisioning view, from the joins it was read with. */
  private async joinedViews(ctx: RequestContext, rows: Array<{ joined: unknown[] }>, wanted: Wanted) {
    const memberOf = rows.map((r) => (wanted.groups ? (r.joined[0] as string[] | undefined) : undefined) ?? []);
    const names = await this.groupNames(ctx, [...new Set(memberOf.flat())]);
    const provAt = wanted.groups ? 1 : 0;
    return rows.map((r, i) => ({
      groups: memberOf[i]!.filter((g) => names.has(g)).map((g): GroupRef => ({ id: g, displayName: names.get(g)! })),
      prov: wanted.prov ? ProvisioningStore.viewOf(r.joined[provAt]) : null,
    }));
  }

  private async groupNames(ctx: RequestContext, groupIds: string[]): Promise<Map<string, string>> {
    const groups = await this.deps.resources.getMany(ctx.connectionId, 'Group', groupIds);
    return new Map(groups.map((g) => [g.resource.id, String(g.resource.displayName)]));
  }

  private async render(ctx: RequestContext, stored: StoredResource) {
    const id = stored.resource.id;
    const [groups, prov] = await Promise.all([this.groupsOf(ctx, [id]), this.deps.provisioning.get(ctx.connectionId, id)]);
    return { resource: renderUser(stored, ctx.baseUrl, groups.get(id) ?? [], prov), version: stored.version };
  }

  /** Group names per user, from the reverse membership sets. */
  async groupsOf(ctx: RequestContext, userIds: string[]): Promise<Map<string, GroupRef[]>> {
    const keys = this.deps.resources.keys(ctx.connectionId);
    const pipeline = this.deps.redis.pipeline();
    for (const id of userIds) pipeline.smembers(keys.memberOf(id));
    const rows = ((await pipeline.exec()) ?? []).map(([, value]) => (value as string[] | null) ?? []);
    const names = await this.groupNames(ctx, [...new Set(rows.flat())]);
    const out = new Map<string, GroupRef[]>();
    userIds.forEach((id, i) => {
      out.set(id, (rows[i] ?? []).filter((g) => names.has(g)).map((g) => ({ id: g, displayName: names.get(g)! })));
    });
    return out;
  }
}
