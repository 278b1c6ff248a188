/**
 * List queries (RFC 7644 §3.4.2): filter, 1-based startIndex, count. `eq` on userName,
 * externalId or displayName is answered from an index; other filters scan in creation order.
 */
import type { Redis } from 'ioredis';
import type { ResourceType } from '../store/keys.ts';
import { readText, type ReadTextRow } from '../store/read-script.ts';
import type { JoinedResource, ReadJoin, ResourceStore, StoredResource } from '../store/resource-store.ts';
import { type FilterNode, type IndexLookup, indexLookup, matches, parseFilter } from '../scim/filter.ts';
import { ScimError } from '../errors.ts';
import { TimeSlice } from './time-slice.ts';

/** Comparisons per filter: IdPs send one to three; each costs a pass over a scanned directory. */
export const MAX_FILTER_TERMS = 100;

/** Refuses a filter of more comparisons than MAX_FILTER_TERMS (counted without recursion). */
function checkFilterSize(root: FilterNode): void {
  let terms = 0;
  const stack: FilterNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.op === 'and' || node.op === 'or') stack.push(...node.filters);
    else if (node.op === 'not' || node.op === 'valuePath') stack.push(node.filter);
    else if (++terms > MAX_FILTER_TERMS) {
      throw ScimError.badRequest('invalidFilter', `A filter may hold at most ${MAX_FILTER_TERMS} comparisons.`);
    }
  }
}

export interface ListQuery {
  filter?: string;
  startIndex?: string | number;
  count?: string | number;
}

export interface Page {
  totalResults: number;
  startIndex: number;
  /** Each with the values of the joins the list was asked for (see ResourceStore.pageJoined). */
  resources: JoinedResource[];
}

/** RFC 7644 §3.4.2.4: startIndex below 1 counts as 1; a negative count counts as 0. */
export function pageBounds(query: ListQuery, maxPageSize: number): { startIndex: number; count: number } {
  const start = parseInteger(query.startIndex, 'startIndex') ?? 1;
  const count = parseInteger(query.count, 'count') ?? Math.min(100, maxPageSize);
  // Beyond 2^53 a start is past any directory; clamped so Redis never sees "9.2e+18" (issue 11).
  return { startIndex: Math.min(Math.max(1, start), Number.MAX_SAFE_INTEGER), count: Math.min(Math.max(0, count), maxPageSize) };
}

function parseInteger(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) && n !== Infinity) throw ScimError.badRequest('invalidValue', `${name} must be an integer.`);
  return n;
}

/**
 * An unfiltered page with its joins, bodies left as stored text (see render-text.ts), in one
 * script call; undefined for a filtered list, which takes listResources().
 */
export async function listPageText(
  redis: Redis,
  store: ResourceStore,
  connectionId: string,
  type: ResourceType,
  query: ListQuery,
  maxPageSize: number,
  joins: ReadJoin[],
): Promise<{ totalResults: number; startIndex: number; rows: ReadTextRow[] } | undefined> {
  if (query.filter) return undefined;
  const { startIndex, count } = pageBounds(query, maxPageSize);
  const keys = store.keys(connectionId);
  const range = { list: keys.list(type), start: String(startIndex - 1), stop: String(startIndex - 1 + count - 1) };
  const { total, rows } = await readText(redis, keys.base, { doc: keys.doc(type, ''), joins, ...range });
  return { totalResults: total, startIndex, rows };
}

export async function listResources(
  store: ResourceStore,
  connectionId: string,
  type: ResourceType,
  query: ListQuery,
  maxPageSize: number,
  joins: ReadJoin[] = [],
): Promise<Page> {
  const { startIndex, count } = pageBounds(query, maxPageSize);
  if (!query.filter) {
    const { total, rows } = await store.pageJoined(connectionId, type, startIndex - 1, count, joins);
    return { totalResults: total, startIndex, resources: rows };
  }
  const node = parseFilter(query.filter);
  checkFilterSize(node);
  const lookup = indexLookup(node);
  if (lookup) {
    const ids = await store.findIds(connectionId, type, lookup.attribute, lookup.value);
    const ordered = await store.orderByCreation(connectionId, type, ids);
    const rest = residual(node, lookup);
    const hits = (await store.getManyJoined(connectionId, type, ordered, joins)).filter((r) => rest === null || matches(rest, r.resource));
    return { totalResults: hits.length, startIndex, resources: hits.slice(startIndex - 1, startIndex - 1 + count) };
  }
  // No index applies: scan in creation order, counting every match but keeping only the page,
  // so a broad filter over a large directory costs time, not memory.
  let totalResults = 0;
  const resources: StoredResource[] = [];
  const slice = new TimeSlice();
  for await (const batch of store.scan(connectionId, type)) {
    for (const r of batch) {
      // A long filter over a batch can take longer than the loop may be held: yield now and then.
      await slice.pause();
      if (!matches(node, r.resource)) continue;
      totalResults++;
      if (totalResults >= startIndex && resources.length < count) resources.push(r);
    }
  }
  return { totalResults, startIndex, resources: await withJoins(store, connectionId, type, resources, joins) };
}

/** The joins of a scanned page, read for its rows only (not for every resource scanned). */
async function withJoins(store: ResourceStore, connectionId: string, type: ResourceType, rows: StoredResource[], joins: ReadJoin[]): Promise<JoinedResource[]> {
  if (joins.length === 0 || rows.length === 0) return rows.map((r) => ({ ...r, joined: [] }));
  const fresh = await store.getManyJoined(connectionId, type, rows.map((r) => r.resource.id), joins);
  const joined = new Map(fresh.map((r) => [r.resource.id, r.joined]));
  return rows.map((r) => ({ ...r, joined: joined.get(r.resource.id) ?? [] }));
}

/**
 * The filter left to check on userName-index hits: the index already compared userName NFKC +
 * lower case (look-alikes match), which the plain evaluator would not, so that term is dropped.
 */
function residual(node: FilterNode, lookup: IndexLookup): FilterNode | null {
  if (lookup.attribute !== 'userName') return node;
  const isTerm = (n: FilterNode) => n.op === 'eq' && n.path.names.length === 1 && !n.path.schema
    && n.path.names[0]!.toLowerCase() === 'username' && n.value === lookup.value;
  if (isTerm(node)) return null;
  if (node.op !== 'and') return node;
  const filters = node.filters.filter((f) => !isTerm(f));
  return filters.length === 0 ? null : filters.length === 1 ? filters[0]! : { op: 'and', filters };
}
