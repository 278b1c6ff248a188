/**
 * SCIM 2.0 resource shapes for the sandbox: rendering users and teams (RFC 7643 §4), reading
 * create/replace bodies, applying PATCH operations (RFC 7644 §3.5.2), `eq` filters and paging.
 */
import { SPEKIT_ROLES, type SandboxTeam, type SandboxUser, type SpekitRole, type SpekitState } from './state.ts';
import { asBoolean, asString, GROUP_SCHEMA, SandboxScimError, USER_SCHEMA, type PatchOp } from '../lib/scim.ts';

// The SCIM basics are shared with the other sandboxes (test/sandboxes/lib/scim.ts).
export { ERROR_SCHEMA, errorBody, GROUP_SCHEMA, LIST_SCHEMA, page, parseFilter, readPatch, SandboxScimError, USER_SCHEMA } from '../lib/scim.ts';
export type { PatchOp } from '../lib/scim.ts';

type Json = Record<string, unknown>;

export function renderUser(state: SpekitState, user: SandboxUser, base: string): Json {
  const groups = state.teamsOf(user.id).flatMap((m) => {
    const team = state.scimTeam(m.teamId);
    return team ? [{ value: team.id, display: team.displayName, $ref: `${base}/Groups/${team.id}` }] : [];
  });
  const formatted = [user.givenName, user.familyName].filter(Boolean).join(' ');
  return {
    schemas: [USER_SCHEMA],
    id: user.id,
    ...(user.externalId ? { externalId: user.externalId } : {}),
    userName: user.userName,
    name: { givenName: user.givenName, familyName: user.familyName, ...(formatted ? { formatted } : {}) },
    ...(user.displayName ? { displayName: user.displayName } : {}),
    emails: [{ value: user.email, type: 'work', primary: true }],
    active: user.active,
    roles: user.role ? [{ value: user.role, primary: true }] : [],
    groups,
    meta: { resourceType: 'User', created: user.created, lastModified: user.lastModified, location: `${base}/Users/${user.id}` },
  };
}

export function renderTeam(state: SpekitState, team: SandboxTeam, base: string, withMembers = true): Json {
  const members = state.membersOf(team.id).map((m) => ({
    value: m.userId,
    display: state.users.get(m.userId)?.userName,
    $ref: `${base}/Users/${m.userId}`,
  }));
  return {
    schemas: [GROUP_SCHEMA],
    id: team.id,
    displayName: team.displayName,
    ...(withMembers ? { members } : {}),
    meta: { resourceType: 'Group', created: team.created, lastModified: team.lastModified, location: `${base}/Groups/${team.id}` },
  };
}

function readRole(value: unknown): SpekitRole | null {
  const list = Array.isArray(value) ? value : [];
  const first = list[0] as unknown;
  if (first === undefined) return null;
  const name = typeof first === 'string' ? first : (first as Json | null)?.value;
  if (SPEKIT_ROLES.includes(name as SpekitRole)) return name as SpekitRole;
  throw new SandboxScimError(400, 'invalidValue', `roles must be one of ${SPEKIT_ROLES.join(', ')}`);
}

function readEmail(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries = value as Json[];
  const chosen = entries.find((e) => e?.primary === true) ?? entries[0];
  return typeof chosen?.value === 'string' ? chosen.value : undefined;
}

/** Sets one attribute on a draft user; unknown attributes are ignored as Spekit stores none. */
export function setUserAttribute(draft: SandboxUser, path: string, value: unknown): void {
  const key = path.toLowerCase();
  if (key === 'active') draft.active = asBoolean(value, path);
  else if (key === 'username') draft.userName = asString(value, path);
  else if (key === 'displayname') draft.displayName = value == null ? undefined : asString(value, path);
  else if (key === 'externalid') draft.externalId = value == null ? undefined : asString(value, path);
  else if (key === 'name.givenname') draft.givenName = value == null ? undefined : asString(value, path);
  else if (key === 'name.familyname') draft.familyName = value == null ? undefined : asString(value, path);
  else if (key === 'name') {
    const name = (value ?? {}) as Json;
    draft.givenName = name.givenName as string | undefined;
    draft.familyName = name.familyName as string | undefined;
  } else if (key === 'emails') draft.email = readEmail(value) ?? draft.email;
  else if (/^emails(\[.*\])?\.value$/.test(key)) draft.email = asString(value, path);
  else if (key === 'roles') draft.role = value == null ? null : readRole(value);
}

/** Builds a draft from a POST or PUT body (RFC 7644 §3.3, §3.5.1). */
export function userFromBody(body: unknown, base: SandboxUser): SandboxUser {
  const input = (body ?? {}) as Json;
  if (typeof input.userName !== 'string' || input.userName.trim() === '') {
    throw new SandboxScimError(400, 'invalidValue', 'userName is required');
  }
  const draft: SandboxUser = { ...base, userName: input.userName, displayName: undefined, externalId: undefined };
  draft.email = readEmail(input.emails) ?? (input.userName.includes('@') ? input.userName : base.email);
  setUserAttribute(draft, 'name', input.name);
  if (input.displayName !== undefined) setUserAttribute(draft, 'displayName', input.displayName);
  if (input.externalId !== undefined) setUserAttribute(draft, 'externalId', input.externalId);
  draft.active = input.active === undefined ? true : asBoolean(input.active, 'active');
  draft.role = readRole(input.roles);
  return draft;
}

export function patchUser(user: SandboxUser, ops: PatchOp[]): SandboxUser {
  const draft = { ...user };
  for (const op of ops) {
    if (op.op === 'remove') {
      if (!op.path) throw new SandboxScimError(400, 'noTarget', 'remove needs a path');
      setUserAttribute(draft, op.path, null);
    } else if (op.path) setUserAttribute(draft, op.path, op.value);
    else for (const [key, value] of Object.entries((op.value ?? {}) as Json)) setUserAttribute(draft, key, value);
  }
  return draft;
}

export function matchesUser(user: SandboxUser, f: { attr: string; value: string }): boolean {
  const v = f.value.toLowerCase();
  if (f.attr === 'username') return user.userName.toLowerCase() === v;
  if (f.attr === 'id') return user.id === f.value;
  if (f.attr === 'externalid') return user.externalId === f.value;
  if (f.attr === 'emails.value' || f.attr === 'emails') return user.email.toLowerCase() === v;
  throw new SandboxScimError(400, 'invalidFilter', `cannot filter users on ${f.attr}`);
}

export function matchesTeam(team: SandboxTeam, f: { attr: string; value: string }): boolean {
  if (f.attr === 'displayname') return team.displayName.toLowerCase() === f.value.toLowerCase();
  if (f.attr === 'id') return team.id === f.value;
  throw new SandboxScimError(400, 'invalidFilter', `cannot filter groups on ${f.attr}`);
}
