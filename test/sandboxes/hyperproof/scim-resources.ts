/**
 * Hyperproof's SCIM user as the sandbox reads and writes it (RFC 7643 §4.1): email = userName,
 * first and last name required, `roles` ignored unless knob scimRoles is 'entra'; every other
 * attribute (externalId, displayName, phones, addresses, the enterprise extension) is dropped.
 * The generic pieces (errors, PatchOp reading, paging, `eq` filters) are the Spekit sandbox's.
 */
import { readPatch, SandboxScimError, USER_SCHEMA, type PatchOp } from '../lib/scim.ts';
import type { HyperproofKnobs } from './knobs.ts';
import { ENTRA_ROLE_VALUES, SCIM_DEFAULT_ROLE, type HyperproofRole, type Person } from './state.ts';

export { readPatch, SandboxScimError };

type Json = Record<string, unknown>;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The fields SCIM may change, copied so that a failing PATCH changes nothing (all-or-nothing). */
export interface Draft {
  email: string;
  givenName: string;
  familyName: string;
  active: boolean;
  role: HyperproofRole;
}

export function draftOf(person: Person): Draft {
  return { email: person.email, givenName: person.givenName, familyName: person.familyName, active: person.status !== 'Deactivated', role: person.role };
}

export function renderUser(person: Person, base: string, knobs: HyperproofKnobs): Json {
  const entra = Object.entries(ENTRA_ROLE_VALUES).find(([, role]) => role === person.role)?.[0];
  return {
    schemas: [USER_SCHEMA],
    id: person.id,
    userName: person.email,
    name: { givenName: person.givenName, familyName: person.familyName, formatted: `${person.givenName} ${person.familyName}` },
    displayName: `${person.givenName} ${person.familyName}`,
    emails: [{ value: person.email, type: 'work', primary: true }],
    active: person.status !== 'Deactivated',
    ...(knobs.scimRoles === 'entra' && entra ? { roles: [{ value: entra, primary: true }] } : {}),
    meta: { resourceType: 'User', created: person.created, lastModified: person.lastModified, location: `${base}/Users/${person.id}` },
  };
}

function asBoolean(value: unknown, path: string): boolean {
  // Entra sends "True"/"False" strings unless its tenant flag is set (idp.md).
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new SandboxScimError(400, 'invalidValue', `${path} must be a boolean`);
}

function asString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  throw new SandboxScimError(400, 'invalidValue', `${path} must be a string`);
}

/** The primary `roles` value, as Entra sends it, mapped from Entra's app-role values. */
function readRole(value: unknown, current: HyperproofRole): HyperproofRole {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const chosen = (list.find((r) => (r as Json | null)?.primary === true || /^true$/i.test(String((r as Json | null)?.primary))) ?? list[0]) as unknown;
  const name = typeof chosen === 'string' ? chosen : (chosen as Json | null)?.value;
  if (name === undefined || name === null) return current;
  const role = ENTRA_ROLE_VALUES[String(name).toUpperCase()];
  if (!role) throw new SandboxScimError(400, 'invalidValue', `roles must be one of ${Object.keys(ENTRA_ROLE_VALUES).join(', ')}`);
  return role;
}

/** Sets one attribute on a draft; attributes Hyperproof does not use are ignored. */
export function setAttribute(draft: Draft, path: string, value: unknown, knobs: HyperproofKnobs): void {
  const key = path.toLowerCase();
  if (key === 'active') draft.active = asBoolean(value, path);
  else if (key === 'username') draft.email = asString(value, path);
  else if (key === 'name.givenname') draft.givenName = value == null ? '' : asString(value, path);
  else if (key === 'name.familyname') draft.familyName = value == null ? '' : asString(value, path);
  else if (key === 'name') {
    const name = (value ?? {}) as Json;
    if (name.givenName !== undefined) setAttribute(draft, 'name.givenName', name.givenName, knobs);
    if (name.familyName !== undefined) setAttribute(draft, 'name.familyName', name.familyName, knobs);
  } else if (key.startsWith('roles') && knobs.scimRoles === 'entra' && value != null) draft.role = readRole(value, draft.role);
}

/** Hyperproof's own checks on a draft before it is saved. */
export function validate(draft: Draft): void {
  if (!EMAIL.test(draft.email)) throw new SandboxScimError(400, 'invalidValue', 'userName must be an email address');
  if (!draft.givenName.trim() || !draft.familyName.trim()) throw new SandboxScimError(400, 'invalidValue', 'name.givenName and name.familyName are required');
}

/** A POST or PUT body over `base` (RFC 7644 §3.3, §3.5.1); PUT may reset the role (knob). */
export function draftFromBody(body: unknown, base: Draft, knobs: HyperproofKnobs, resetRole: boolean): Draft {
  const input = (body ?? {}) as Json;
  if (typeof input.userName !== 'string') throw new SandboxScimError(400, 'invalidValue', 'userName is required');
  const name = (input.name ?? {}) as Json;
  const draft: Draft = {
    email: input.userName, givenName: '', familyName: '', role: resetRole ? SCIM_DEFAULT_ROLE : base.role,
    active: input.active === undefined ? true : asBoolean(input.active, 'active'),
  };
  if (name.givenName !== undefined) setAttribute(draft, 'name.givenName', name.givenName, knobs);
  if (name.familyName !== undefined) setAttribute(draft, 'name.familyName', name.familyName, knobs);
  if (input.roles !== undefined) setAttribute(draft, 'roles', input.roles, knobs);
  validate(draft);
  return draft;
}

/** PATCH (RFC 7644 §3.5.2): ops in any case, no-path objects, all-or-nothing. */
export function patchDraft(current: Draft, ops: PatchOp[], knobs: HyperproofKnobs): Draft {
  const draft = { ...current };
  for (const op of ops) {
    if (op.op === 'remove') {
      if (!op.path) throw new SandboxScimError(400, 'noTarget', 'remove needs a path');
      setAttribute(draft, op.path, null, knobs);
    } else if (op.path) setAttribute(draft, op.path, op.value, knobs);
    else for (const [key, value] of Object.entries((op.value ?? {}) as Json)) setAttribute(draft, key, value, knobs);
  }
  validate(draft);
  return draft;
}
