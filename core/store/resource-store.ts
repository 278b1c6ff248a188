/**
 * Users and groups of one connection in Redis: a hash per resource (JSON body + version), a
 * creation-ordered list for 1-based paging, and indexes for the `eq` lookups IdPs make
 * (userName, externalId, displayName), so those never scan.
 */
import type { Redis } from 'ioredis';
import { ScimError } from '../errors.ts';
import { pruneDeep, tooDeep } from '../scim/limits.ts';
import { userNameKey } from '../scim/user-name.ts';
import { stateSetPrefix } from '../provisioning/state-index.ts';
import { connectionKeys, lexEntry, type ConnectionKeys, type ResourceType } from './keys.ts';
import {
  parseSaveResult, SAVE_SCRIPT,
  type FanOutContext, type LexChange, type ProvisioningBump, type SaveOp, type SaveResult, type SetChange, type UniqueChange,
} from './save-script.ts';
import { bodyShape } from './body-shape.ts';
import { FanOuts, INLINE_ITEMS, itemCount } from './fan-out.ts';
import { parseReadResult, READ_SCRIPT, type ReadJoin, type ReadOp, type ReadRow } from './read-script.ts';

export type { ReadJoin } from './read-script.ts';

export type ScimResource = Record<string, unknown> & { id: string };

export interface StoredResource {
  resource: ScimResource;
  version: number;
  /** Creation order, for stable paging. */
  seq?: number;
}

/** A stored resource with the values of the joins it was read with, in their order. */
export interface JoinedResource extends StoredResource {
  joined: unknown[];
}

/**
 * Per-user writes of a save (membership, provisioning bumps): atomic with it when few; when many,
 * applied in short batches right after it, before the save returns (fan-out.ts).
 */
export interface SaveEffects {
  sets?: SetChange[];
  bump?: ProvisioningBump[];
}

export type IndexedAttribute = 'userName' | 'externalId' | 'displayName';

const MAX_CAS_ATTEMPTS = 50;
/** Times a save waits for another write's fan-out of the same resource before it gives up. */
const MAX_PENDING_WAITS = 20;
const SCAN_BATCH = 500;

/** The scripts, registered once per client as custom commands (sent by SHA after the first call). */
// KEYS[1] is only the connection's base: it sends the call to that connection's slot on a Cluster.
interface WithScripts {
  scimwrightSave(slotKey: string, op: string, body: string): Promise<unknown>;
  scimwrightRead(slotKey: string, op: string): Promise<unknown>;
}

export class ResourceStore {
  private readonly scripts: WithScripts;
  private readonly fanOuts: FanOuts;

  constructor(private readonly redis: Redis, private readonly prefix: string) {
    this.fanOuts = new FanOuts(redis);
    if (!('scimwrightSave' in redis)) redis.defineCommand('scimwrightSave', { numberOfKeys: 1, lua: SAVE_SCRIPT });
    if (!('scimwrightRead' in redis)) redis.defineCommand('scimwrightRead', { numberOfKeys: 1, lua: READ_SCRIPT });
    this.scripts = redis as unknown as WithScripts;
  }

  keys(connectionId: string): ConnectionKeys {
    return connectionKeys(this.prefix, connectionId);
  }

  async get(connectionId: string, type: ResourceType, id: string): Promise<StoredResource | null> {
    const [body, version] = await this.redis.hmget(this.keys(connectionId).doc(type, id), 'body', 'v');
    return body && version ? { resource: parseBody(body), version: Number(version) } : null;
  }

  async getMany(connectionId: string, type: ResourceType, ids: string[]): Promise<StoredResource[]> {
    return (await this.getManyJoined(connectionId, type, ids, [])).map(plain);
  }

  /** Resources by id (missing ones left out), each with its joins, in one script call. */
  async getManyJoined(connectionId: string, type: ResourceType, ids: string[], joins: ReadJoin[]): Promise<JoinedResource[]> {
    if (ids.length === 0) return [];
    return (await this.read(connectionId, type, { ids }, joins)).rows;
  }

  /** Creates a resource; 409 uniqueness when an indexed unique attribute is taken (RFC 7644 §3.3). */
  async create(connectionId: string, type: ResourceType, resource: ScimResource, effects: SaveEffects = {}): Promise<StoredResource> {
    const result = await this.save(connectionId, type, null, resource, 'absent', effects);
    if (result.kind === 'exists') throw new ScimError(409, 'uniqueness', `A ${type} with id "${resource.id}" already exists.`);
    return { resource, version: this.okVersion(result, type) };
  }

  /**
   * Read-modify-write with optimistic concurrency: `compute` sees the latest stored version and is
   * re-run when another writer got there first, so concurrent PATCHes lose no update.
   * `ifMatch` (an ETag's version) makes a stale write fail with 412 instead (RFC 7644 §3.14).
   */
  async update(
    connectionId: string,
    type: ResourceType,
    id: string,
    compute: (current: StoredResource) => { resource: ScimResource; effects?: SaveEffects },
    ifMatch?: number,
  ): Promise<{ before: StoredResource; after: StoredResource }> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.get(connectionId, type, id);
      if (!current) throw ScimError.notFound(`${type} "${id}" not found.`);
      if (ifMatch !== undefined && ifMatch !== current.version) {
        throw new ScimError(412, undefined, `${type} "${id}" has changed (version ${current.version}, If-Match ${ifMatch}).`);
      }
      const next = compute(current);
      const result = await this.save(connectionId, type, current.resource, next.resource, current.version, next.effects ?? {});
      if (result.kind === 'version') continue;
      if (result.kind === 'missing') throw ScimError.notFound(`${type} "${id}" not found.`);
      return { before: current, after: { resource: next.resource, version: this.okVersion(result, type) } };
    }
    throw new ScimError(503, undefined, `Too many concurrent changes to ${type} "${id}"; retry.`, { 'retry-after': '1' });
  }

  async delete(connectionId: string, type: ResourceType, id: string, effects: (current: StoredResource) => SaveEffects): Promise<StoredResource> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.get(connectionId, type, id);
      if (!current) throw ScimError.notFound(`${type} "${id}" not found.`);
      const result = await this.save(connectionId, type, current.resource, null, current.version, effects(current));
      if (result.kind === 'ok') return current;
      if (result.kind === 'missing') throw ScimError.notFound(`${type} "${id}" not found.`);
    }
    throw new ScimError(503, undefined, `Too many concurrent changes to ${type} "${id}"; retry.`, { 'retry-after': '1' });
  }

  /** Ids whose indexed attribute equals `value` (case-insensitively where the attribute is). */
  async findIds(connectionId: string, type: ResourceType, attribute: IndexedAttribute, value: string): Promise<string[]> {
    const keys = this.keys(connectionId);
    const spec = indexSpec(keys, type, attribute);
    if (!spec) return [];
    const key = indexKey(spec, value);
    if (spec.kind === 'unique') {
      // Then the key an older version wrote (lower case only), for users not written since.
      const legacy = legacyKey(spec, value);
      const ids = await this.redis.hmget(spec.key, key, ...(legacy ? [legacy] : []));
      return [...new Set(ids.filter((id): id is string => id !== null))];
    }
    const entries = await this.redis.zrangebylex(spec.key, `[${key}\u0000`, `[${key}\u0000\u00ff`);
    return entries.map((entry) => entry.slice(key.length + 1));
  }

  /** Which of `ids` exist, from the creation list alone (no body is read or parsed). */
  async existingIds(connectionId: string, type: ResourceType, ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const listKey = this.keys(connectionId).list(type);
    for (let i = 0; i < ids.length; i += SCAN_BATCH) {
      const chunk = ids.slice(i, i + SCAN_BATCH);
      const scores = await this.redis.zmscore(listKey, ...chunk);
      chunk.forEach((id, j) => { if (scores[j] !== null && scores[j] !== undefined) found.add(id); });
    }
    return found;
  }

  async count(connectionId: string, type: ResourceType): Promise<number> {
    return this.redis.zcard(this.keys(connectionId).list(type));
  }

  /** One page in creation order; `start` is 0-based here. */
  async page(connectionId: string, type: ResourceType, start: number, count: number): Promise<StoredResource[]> {
    return (await this.pageJoined(connectionId, type, start, count, [])).rows.map(plain);
  }

  /** One page in creation order with its joins, and the size of the whole list, in one script call. */
  async pageJoined(connectionId: string, type: ResourceType, start: number, count: number, joins: ReadJoin[]): Promise<{ total: number; rows: JoinedResource[] }> {
    const range = { list: this.keys(connectionId).list(type), start: String(start), stop: String(start + Math.max(0, count) - 1) };
    return this.read(connectionId, type, range, joins);
  }

  private async read(connectionId: string, type: ResourceType, what: Omit<ReadOp, 'doc' | 'joins'>, joins: ReadJoin[]) {
    const op: ReadOp = { doc: this.keys(connectionId).doc(type, ''), joins, ...what };
    const { total, rows } = parseReadResult(await this.scripts.scimwrightRead(this.keys(connectionId).base, JSON.stringify(op)));
    return { total, rows: rows.map(toJoined) };
  }

  /** Streams every resource in creation order, in batches; for filters no index can answer. */
  async *scan(connectionId: string, type: ResourceType): AsyncGenerator<StoredResource[]> {
    const listKey = this.keys(connectionId).list(type);
    for (let start = 0; ; start += SCAN_BATCH) {
      const ids = await this.redis.zrange(listKey, String(start), String(start + SCAN_BATCH - 1));
      if (ids.length === 0) return;
      yield await this.getMany(connectionId, type, ids);
      if (ids.length < SCAN_BATCH) return;
    }
  }

  /** Orders ids by creation (for index hits, which come back in index order). */
  async orderByCreation(connectionId: string, type: ResourceType, ids: string[]): Promise<string[]> {
    if (ids.length <= 1) return ids;
    const scores = await this.redis.zmscore(this.keys(connectionId).list(type), ...ids);
    return ids
      .map((id, i) => ({ id, score: scores[i] === null || scores[i] === undefined ? Infinity : Number(scores[i]) }))
      .filter((row) => row.score !== Infinity)
      .sort((a, b) => a.score - b.score)
      .map((row) => row.id);
  }

  private okVersion(result: ReturnType<typeof parseSaveResult>, type: ResourceType): number {
    if (result.kind === 'ok') return result.version;
    if (result.kind === 'conflict') {
      throw ScimError.conflict(`Another ${type} already has this ${result.attr}.`);
    }
    throw new Error(`unexpected save result ${result.kind}`);
  }

  private async save(
    connectionId: string,
    type: ResourceType,
    before: ScimResource | null,
    after: ScimResource | null,
    expect: SaveOp['expect'],
    effects: SaveEffects,
  ): Promise<SaveResult> {
    const keys = this.keys(connectionId);
    const id = (after ?? before)!.id;
    const now = new Date();
    const context: FanOutContext = {
      provIndex: keys.provIndex, provStatePrefix: stateSetPrefix(this.prefix, connectionId), now: now.toISOString(), nowMs: now.getTime(),
    };
    const inline = itemCount(effects) <= INLINE_ITEMS;
    const stage = inline ? undefined : await this.fanOuts.stage(keys, effects);
    const { body, shape } = bodyFields(type, after);
    const op: SaveOp = {
      id,
      doc: keys.doc(type, id),
      listKey: keys.list(type),
      seqKey: keys.seq,
      expect,
      write: after !== null,
      ...(shape ? { shape } : {}),
      ...indexChanges(keys, type, before, after, id),
      sets: inline ? effects.sets ?? [] : [],
      bump: inline ? effects.bump ?? [] : [],
      ...context,
      fanOut: keys.fanOut(type, id),
      fanOuts: keys.fanOuts,
      ...(stage ? { stage, fanOutContext: JSON.stringify(context) } : {}),
    };
    let result: SaveResult | undefined;
    try {
      result = await this.commit(keys, op, body);
    } finally {
      if (stage && result?.kind !== 'ok') await this.fanOuts.discard(stage);
    }
    if (result.kind === 'ok' && stage) await this.fanOuts.finish(keys, op.fanOut);
    if (result.kind === 'conflict') this.okVersion(result, type);
    return result;
  }

  /** Runs the save script; while an earlier write's fan-out of the resource is pending, finishes it first. */
  private async commit(keys: ConnectionKeys, op: SaveOp, body: string): Promise<SaveResult> {
    const text = JSON.stringify(op);
    for (let wait = 0; wait < MAX_PENDING_WAITS; wait++) {
      const result = parseSaveResult(await this.scripts.scimwrightSave(keys.base, text, body));
      if (result.kind !== 'pending') return result;
      await this.fanOuts.finish(keys, op.fanOut);
    }
    throw new ScimError(503, undefined, 'Too many concurrent changes to this resource; retry.', { 'retry-after': '1' });
  }

  /** Applies what a crash left of big writes' per-user changes (fan-out.ts); returns how many writes. */
  async finishFanOuts(connectionId: string): Promise<number> {
    return this.fanOuts.finishAll(this.keys(connectionId));
  }
}

/** The stored body ('' to delete), with its text shape for list pages (users only; issue 13). */
function bodyFields(type: ResourceType, resource: ScimResource | null): { body: string; shape?: string | undefined } {
  if (!resource) return { body: '' };
  const body = JSON.stringify(resource);
  return { body, shape: type === 'User' ? bodyShape(body) : undefined };
}

function plain({ resource, version }: JoinedResource): StoredResource {
  return { resource, version };
}

function toJoined([body, version, ...joined]: ReadRow): JoinedResource {
  return { resource: pruned(body as ScimResource), version: Number(version), joined };
}

/**
 * A stored body, with branches deeper than the write bound dropped: an older version stored such
 * documents, and recursive code (rendering, PATCH, the runner) must still handle the user, above
 * all to deprovision it (issue 11). The next write stores the pruned form.
 */
function parseBody(body: string): ScimResource {
  return pruned(JSON.parse(body) as ScimResource);
}

function pruned(resource: ScimResource): ScimResource {
  return tooDeep(resource) ? pruneDeep(resource) : resource;
}

interface IndexSpec {
  kind: 'unique' | 'lex';
  key: string;
  attr: IndexedAttribute;
  caseInsensitive: boolean;
}

function indexSpecs(keys: ConnectionKeys, type: ResourceType): IndexSpec[] {
  return type === 'User'
    ? [
        { kind: 'unique', key: keys.userNameIdx, attr: 'userName', caseInsensitive: true },
        // RFC 7643 §3.1: externalId is caseExact.
        { kind: 'lex', key: keys.userExternalIdIdx, attr: 'externalId', caseInsensitive: false },
        { kind: 'lex', key: keys.userDisplayNameIdx, attr: 'displayName', caseInsensitive: true },
      ]
    : [
        { kind: 'unique', key: keys.groupNameIdx, attr: 'displayName', caseInsensitive: true },
        { kind: 'lex', key: keys.groupExternalIdIdx, attr: 'externalId', caseInsensitive: false },
      ];
}

function indexSpec(keys: ConnectionKeys, type: ResourceType, attr: IndexedAttribute): IndexSpec | undefined {
  return indexSpecs(keys, type).find((spec) => spec.attr === attr);
}

function rawValue(spec: IndexSpec, resource: ScimResource | null): string | undefined {
  const raw = resource?.[spec.attr];
  return typeof raw !== 'string' || raw === '' ? undefined : raw;
}

/** userName is keyed NFKC + lower case (look-alikes collide); other attributes as before. */
function indexKey(spec: IndexSpec, raw: string): string {
  if (spec.attr === 'userName' && spec.kind === 'unique') return userNameKey(raw);
  return spec.caseInsensitive ? raw.toLowerCase() : raw;
}

/** The lower-case-only key older versions wrote, where it differs from today's. */
function legacyKey(spec: IndexSpec, raw: string): string | undefined {
  if (spec.attr !== 'userName' || spec.kind !== 'unique') return undefined;
  const old = raw.toLowerCase();
  return old === userNameKey(raw) ? undefined : old;
}

function indexValue(spec: IndexSpec, resource: ScimResource | null): string | undefined {
  const raw = rawValue(spec, resource);
  return raw === undefined ? undefined : indexKey(spec, raw);
}

function uniqueChange(spec: IndexSpec, before: ScimResource | null, after: ScimResource | null): UniqueChange | null {
  const oldRaw = rawValue(spec, before);
  const newRaw = rawValue(spec, after);
  // Unchanged: leave the entry as it is, whichever version keyed it, so that deprovisioning a
  // user indexed by an older version never meets a look-alike's new-style key.
  if (oldRaw !== undefined && oldRaw === newRaw) return null;
  const set = newRaw === undefined ? undefined : indexKey(spec, newRaw);
  const unset = oldRaw === undefined ? undefined : indexKey(spec, oldRaw);
  const setLegacy = newRaw === undefined ? undefined : legacyKey(spec, newRaw);
  const unsetLegacy = oldRaw === undefined ? undefined : legacyKey(spec, oldRaw);
  return {
    attr: spec.attr, hash: spec.key,
    ...(set ? { set } : {}), ...(unset ? { unset } : {}),
    ...(setLegacy ? { setLegacy } : {}), ...(unsetLegacy ? { unsetLegacy } : {}),
  };
}

function indexChanges(keys: ConnectionKeys, type: ResourceType, before: ScimResource | null, after: ScimResource | null, id: string) {
  const unique: UniqueChange[] = [];
  const lex: LexChange[] = [];
  for (const spec of indexSpecs(keys, type)) {
    const oldValue = indexValue(spec, before);
    const newValue = indexValue(spec, after);
    if (spec.kind === 'unique') {
      const change = uniqueChange(spec, before, after);
      if (change) unique.push(change);
    } else {
      lex.push({
        zset: spec.key,
        ...(newValue ? { set: lexEntry(newValue, id) } : {}),
        ...(oldValue ? { unset: lexEntry(oldValue, id) } : {}),
      });
    }
  }
  return { unique, lex };
}
