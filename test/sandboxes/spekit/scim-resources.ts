/**
 * SCIM 2.0 resource shapes for the sandbox: rendering users and teams (RFC 7643 §4), reading
 * create/replace bodies, applying PATCH operations (RFC 7644 §3.5.2), `eq` filters and paging.
 */
import { SPEKIT_ROLES, type SandboxTeam, type SandboxUser, type SpekitRole, type SpekitState } from './state.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** An error the SCIM routes answer with an RFC 7644 §3.12 body. */
export class SandboxScimError extends Error {
  constructor(readonly status: number, readonly scimType: string | undefined, detail: string) {
    super(detail);
  }
}

export function errorBody(status: number, scimType: string | undefined, detail: string) {
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

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

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

/** Reads a PatchOp body; `op` is matched case-insensitively because Entra capitalises it. */
export function readPatch(body: unknown): PatchOp[] {
  const ops = (body as Json | null)?.Operations;
  if (!Array.isArray(ops)) throw new SandboxScimError(400, 'invalidSyntax', 'Operations is required');
  return ops.map((raw: Json) => {
    const op = String(raw?.op ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw new SandboxScimError(400, 'invalidSyntax', `unknown op ${String(raw?.op)}`);
    }
    return { op, path: typeof raw.path === 'string' ? raw.path : undefined, value: raw.value };
  });
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

const FILTER = /^\s*([A-Za-z][\w.]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i;

/** Only `attr eq "value"` is supported, as Okta and Entra send nothing else (idp.md). */
export function parseFilter(filter: string | undefined): { attr: string; value: string } | null {
  if (filter === undefined || filter === '') return null;
  const match = FILTER.exec(filter);
  if (!match) throw new SandboxScimError(400, 'invalidFilter', 'only `attribute eq "value"` filters are supported');
  return { attr: match[1]!.toLowerCase(), value: match[2]!.replace(/\\(.)/g, '$1') };
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

/** 1-based paging (RFC 7644 §3.4.2.4): startIndex < 1 counts as 1; count is capped by the server. */
export function page<T>(items: T[], query: { startIndex?: string; count?: string }, maxPageSize: number) {
  const startIndex = Math.max(1, Number.parseInt(query.startIndex ?? '1', 10) || 1);
  const asked = query.count === undefined ? maxPageSize : Number.parseInt(query.count, 10);
  const count = Math.min(maxPageSize, Math.max(0, Number.isNaN(asked) ? maxPageSize : asked));
  const slice = items.slice(startIndex - 1, startIndex - 1 + count);
  return { totalResults: items.length, startIndex, itemsPerPage: slice.length, slice };
}
