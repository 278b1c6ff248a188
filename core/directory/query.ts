/**
 * List queries (RFC 7644 §3.4.2): filter, 1-based startIndex, count. `eq` on userName,
 * externalId or displayName is answered from an index; other filters scan in creation order.
 */
import type { ResourceType } from '../store/keys.ts';
import type { ResourceStore, StoredResource } from '../store/resource-store.ts';
import { indexLookup, matches, parseFilter } from '../scim/filter.ts';
import { ScimError } from '../errors.ts';

export interface ListQuery {
  filter?: string;
  startIndex?: string | number;
  count?: string | number;
}

export interface Page {
  totalResults: number;
  startIndex: number;
  resources: StoredResource[];
}

/** RFC 7644 §3.4.2.4: startIndex below 1 counts as 1; a negative count counts as 0. */
export function pageBounds(query: ListQuery, maxPageSize: number): { startIndex: number; count: number } {
  const start = parseInteger(query.startIndex, 'startIndex') ?? 1;
  const count = parseInteger(query.count, 'count') ?? Math.min(100, maxPageSize);
  return { startIndex: Math.max(1, start), count: Math.min(Math.max(0, count), maxPageSize) };
}

function parseInteger(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw ScimError.badRequest('invalidValue', `${name} must be an integer.`);
  return n;
}

export async function listResources(
  store: ResourceStore,
  connectionId: string,
  type: ResourceType,
  query: ListQuery,
  maxPageSize: number,
): Promise<Page> {
  const { startIndex, count } = pageBounds(query, maxPageSize);
  if (!query.filter) {
    const totalResults = await store.count(connectionId, type);
    return { totalResults, startIndex, resources: await store.page(connectionId, type, startIndex - 1, count) };
  }
  const node = parseFilter(query.filter);
  const lookup = indexLookup(node);
  if (lookup) {
    const ids = await store.findIds(connectionId, type, lookup.attribute, lookup.value);
    const ordered = await store.orderByCreation(connectionId, type, ids);
    const hits = (await store.getMany(connectionId, type, ordered)).filter((r) => matches(node, r.resource));
    return { totalResults: hits.length, startIndex, resources: hits.slice(startIndex - 1, startIndex - 1 + count) };
  }
  // No index applies: scan in creation order, counting every match but keeping only the page,
  // so a broad filter over a large directory costs time, not memory.
  let totalResults = 0;
  const resources: StoredResource[] = [];
  for await (const batch of store.scan(connectionId, type)) {
    for (const r of batch) {
      if (!matches(node, r.resource)) continue;
      totalResults++;
      if (totalResults >= startIndex && resources.length < count) resources.push(r);
    }
  }
  return { totalResults, startIndex, resources };
}
