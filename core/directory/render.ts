/** Turns stored resources into what a SCIM client sees: meta.location/version, groups, provisioning. */
import type { ProvisioningView } from '../provisioning/state.ts';
import type { StoredResource } from '../store/resource-store.ts';
import { PROVISIONING_EXTENSION } from './input.ts';

export interface GroupRef {
  id: string;
  displayName: string;
}

/** ETag of a stored version (RFC 7644 §3.14): weak, since equal versions are semantically equal. */
export function etag(version: number): string {
  return `W/"${version}"`;
}

/** Reads the version out of an If-Match header; `*` or absent means no precondition. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (!header || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  return match ? Number(match[1]) : -1;
}

/**
 * The resource with meta.location/version set: a copy, or the resource itself when `owned` (read
 * for this answer alone, as a list page's rows are: copying 100 users cost as much as parsing
 * them, issue 13). Assigning a key keeps its place, as the spreads do, so both give one order.
 */
function withMeta(stored: StoredResource, location: string, owned = false): Record<string, unknown> {
  const meta = stored.resource.meta;
  const version = etag(stored.version);
  if (!owned) return { ...stored.resource, meta: { ...(meta ?? {}) as object, location, version } };
  const out = stored.resource as Record<string, unknown>;
  if (typeof meta === 'object' && meta !== null && !Array.isArray(meta)) {
    (meta as Record<string, unknown>).location = location;
    (meta as Record<string, unknown>).version = version;
  } else out.meta = { ...(meta ?? {}) as object, location, version };
  return out;
}

/** `owned`: the stored resource may be rendered in place (see withMeta). */
export function renderUser(stored: StoredResource, baseUrl: string, groups: GroupRef[], prov: ProvisioningView | null, owned = false) {
  const out = withMeta(stored, `${baseUrl}/Users/${stored.resource.id}`, owned);
  out.groups = groupRefs(groups, baseUrl);
  const schemas = Array.isArray(out.schemas) ? (out.schemas as string[]) : [];
  out.schemas = [...schemas.filter((s) => s !== PROVISIONING_EXTENSION), PROVISIONING_EXTENSION];
  out[PROVISIONING_EXTENSION] = provisioningView(prov);
  return out;
}

/** A user's `groups` (RFC 7643 §4.1.2): direct memberships only. */
export function groupRefs(groups: GroupRef[], baseUrl: string) {
  return groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${baseUrl}/Groups/${g.id}`, type: 'direct' }));
}

export function provisioningView(prov: ProvisioningView | null) {
  const state = prov?.state ?? 'pending';
  return {
    state: state === 'in_sync' ? 'in sync' : state,
    ...(prov?.appRole ? { appRole: prov.appRole } : {}),
    ...(prov?.lastRunAt ? { lastRun: prov.lastRunAt } : {}),
    ...(prov?.lastError ? { lastError: prov.lastError } : {}),
  };
}

export function renderGroup(stored: StoredResource, baseUrl: string) {
  const out = withMeta(stored, `${baseUrl}/Groups/${stored.resource.id}`);
  const members = (out.members ?? []) as Array<Record<string, unknown>>;
  out.members = members.map((m) => ({ ...m, $ref: `${baseUrl}/Users/${String(m.value)}`, type: 'User' }));
  return out;
}
