/** Turns stored resources into what a SCIM client sees: meta.location/version, groups, provisioning. */
import type { ProvisioningState } from '../provisioning/state.ts';
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

function withMeta(stored: StoredResource, location: string) {
  const meta = (stored.resource.meta ?? {}) as Record<string, unknown>;
  return { ...stored.resource, meta: { ...meta, location, version: etag(stored.version) } };
}

export function renderUser(stored: StoredResource, baseUrl: string, groups: GroupRef[], prov: ProvisioningState | null) {
  const out: Record<string, unknown> = withMeta(stored, `${baseUrl}/Users/${stored.resource.id}`);
  out.groups = groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${baseUrl}/Groups/${g.id}`, type: 'direct' }));
  const schemas = Array.isArray(out.schemas) ? (out.schemas as string[]) : [];
  out.schemas = [...schemas.filter((s) => s !== PROVISIONING_EXTENSION), PROVISIONING_EXTENSION];
  out[PROVISIONING_EXTENSION] = provisioningView(prov);
  return out;
}

export function provisioningView(prov: ProvisioningState | null) {
  const state = prov?.state ?? 'pending';
  return {
    state: state === 'in_sync' ? 'in sync' : state,
    ...(prov?.appRole ? { appRole: prov.appRole } : {}),
    ...(prov?.lastRunAt ? { lastRun: prov.lastRunAt } : {}),
    ...(prov?.lastError ? { lastError: prov.lastError } : {}),
  };
}

export function renderGroup(stored: StoredResource, baseUrl: string) {
  const out = withMeta(stored, `${baseUrl}/Groups/${stored.resource.id}`) as Record<string, unknown>;
  const members = (out.members ?? []) as Array<Record<string, unknown>>;
  out.members = members.map((m) => ({ ...m, $ref: `${baseUrl}/Users/${String(m.value)}`, type: 'User' }));
  return out;
}
