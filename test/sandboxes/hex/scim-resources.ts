/**
 * Hex's SCIM resource shapes (RFC 7643 §4) as the sandbox serves them: no role is ever returned,
 * and a role-like attribute in a request is dropped or refused (knob scimRoles). PATCH paths
 * follow what Okta and Entra send (idp.md); unknown paths are ignored, as hex.md chooses.
 */
import {
  asBoolean, asString, GROUP_SCHEMA, SandboxScimError, USER_SCHEMA, type PatchOp,
} from '../lib/scim.ts';
import type { HexKnobs } from './knobs.ts';
import { displayNameOf, type HexGroup, type HexState, type HexUser } from './state.ts';

type Json = Record<string, unknown>;

export function renderUser(state: HexState, user: HexUser, base: string): Json {
  const groups = state.groupsOf(user.id).map((g) => ({ value: g.id, display: g.displayName, $ref: `${base}/Groups/${g.id}` }));
  const formatted = [user.givenName, user.familyName].filter(Boolean).join(' ');
  return {
    schemas: [USER_SCHEMA],
    id: user.id,
    ...(user.externalId ? { externalId: user.externalId } : {}),
    userName: user.userName,
    name: { givenName: user.givenName, familyName: user.familyName, ...(formatted ? { formatted } : {}) },
    displayName: displayNameOf(user),
    emails: [{ value: user.userName, type: 'work', primary: true }],
    active: user.status !== 'Deactivated',
    groups,
    meta: { resourceType: 'User', created: user.created, lastModified: user.lastModified, location: `${base}/Users/${user.id}` },
  };
}

export function renderGroup(state: HexState, group: HexGroup, base: string, withMembers = true): Json {
  const members = group.members.map((id) => ({ value: id, display: state.users.get(id)?.userName, $ref: `${base}/Users/${id}` }));
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    displayName: group.displayName,
    ...(withMembers ? { members } : {}),
    meta: { resourceType: 'Group', created: group.created, lastModified: group.lastModified, location: `${base}/Groups/${group.id}` },
  };
}

/** `roles`, `role`, `hexRole`, an extension's `workspaceRole`: anything named like a role. */
const ROLE_LIKE = /role/i;

function roleAttempt(state: HexState, knobs: HexKnobs, path: string): void {
  state.stats.scimRoleAttempts += 1;
  if (knobs.scimRoles === 'refuse') throw new SandboxScimError(400, 'mutability', `${path} cannot be set over SCIM`);
}

/** Walks a body for role-like keys, extensions included (e.g. an enterprise or custom schema). */
function checkRoles(state: HexState, knobs: HexKnobs, value: unknown, prefix = ''): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, inner] of Object.entries(value as Json)) {
    if (ROLE_LIKE.test(key)) roleAttempt(state, knobs, prefix + key);
    else if (key.startsWith('urn:')) checkRoles(state, knobs, inner, `${key}:`);
  }
}

/** Sets one attribute on a draft; unknown attributes are ignored (hex.md). */
function setAttribute(draft: HexUser, path: string, value: unknown): void {
  const key = path.toLowerCase();
  const text = (v: unknown) => (v == null ? undefined : asString(v, path));
  if (key === 'active') {
    const active = value == null ? true : asBoolean(value, path);
    if (!active) draft.status = 'Deactivated';
    else if (draft.status === 'Deactivated') draft.status = 'Active';
  } else if (key === 'username') draft.userName = asString(value, path);
  else if (key === 'displayname') draft.displayName = text(value);
  else if (key === 'externalid') draft.externalId = text(value);
  else if (key === 'name.givenname') draft.givenName = text(value);
  else if (key === 'name.familyname') draft.familyName = text(value);
  else if (key === 'name') {
    const name = (value ?? {}) as Json;
    if ('givenName' in name) draft.givenName = text(name.givenName);
    if ('familyName' in name) draft.familyName = text(name.familyName);
  }
  // emails / emails[type eq "work"].value: Hex's email is its userName, so an email change is ignored.
}

export function userFromBody(state: HexState, knobs: HexKnobs, body: unknown, base: HexUser): HexUser {
  const input = (body ?? {}) as Json;
  if (typeof input.userName !== 'string' || input.userName.trim() === '') {
    throw new SandboxScimError(400, 'invalidValue', 'userName is required');
  }
  checkRoles(state, knobs, input);
  const draft: HexUser = { ...base, userName: input.userName.trim(), displayName: undefined, externalId: undefined, givenName: undefined, familyName: undefined };
  if (input.name !== undefined) setAttribute(draft, 'name', input.name);
  if (input.displayName !== undefined) setAttribute(draft, 'displayName', input.displayName);
  if (input.externalId !== undefined) setAttribute(draft, 'externalId', input.externalId);
  setAttribute(draft, 'active', input.active ?? true);
  return draft;
}

export function patchUser(state: HexState, knobs: HexKnobs, user: HexUser, ops: PatchOp[]): HexUser {
  const draft = { ...user };
  for (const op of ops) {
    if (op.path && ROLE_LIKE.test(op.path)) {
      roleAttempt(state, knobs, op.path);
      continue;
    }
    if (op.op === 'remove') {
      if (!op.path) throw new SandboxScimError(400, 'noTarget', 'remove needs a path');
      if (op.path.toLowerCase() !== 'active') setAttribute(draft, op.path, null);
    } else if (op.path) setAttribute(draft, op.path, op.value);
    else {
      checkRoles(state, knobs, op.value);
      for (const [key, value] of Object.entries((op.value ?? {}) as Json)) if (!ROLE_LIKE.test(key)) setAttribute(draft, key, value);
    }
  }
  return draft;
}

/** Users: only `userName eq` (case-insensitive), hex.md. */
export function matchesUser(user: HexUser, f: { attr: string; value: string }): boolean {
  if (f.attr !== 'username') throw new SandboxScimError(400, 'invalidFilter', 'only userName eq "…" filters are supported');
  return user.userName.toLowerCase() === f.value.toLowerCase();
}

export function matchesGroup(group: HexGroup, f: { attr: string; value: string }): boolean {
  if (f.attr !== 'displayname') throw new SandboxScimError(400, 'invalidFilter', 'only displayName eq "…" filters are supported');
  return group.displayName.toLowerCase() === f.value.toLowerCase();
}
