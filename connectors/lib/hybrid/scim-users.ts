/**
 * Users (and optionally groups) over the app's SCIM API, the part every hybrid connector shares:
 * userName is the user's email; a user is looked up by userName before a create, and a create
 * answered 409 (a retried create whose first try landed despite a 500) adopts the existing user;
 * groups are looked up by displayName and take the app's own user ids as members.
 */
import type { DesiredUser, ObservedUser } from '../../../core/connector.ts';
import { PermanentAppError } from '../../../core/errors.ts';
import type { ScimUpstream, UpstreamUser, UpstreamUserInput } from '../scim-upstream/index.ts';

export interface ScimUserShape {
  /** The app's name, for messages. */
  name: string;
  /** The SCIM `roles` value to send for a desired user; absent: roles are never sent (set in the browser). */
  scimRole?: (user: DesiredUser) => string;
  /** The role an upstream user shows over SCIM (null when SCIM does not carry roles). */
  observedRole: (user: UpstreamUser) => string | null;
  /** Bring `DesiredUser.groups` in line as SCIM groups. */
  groups: boolean;
}

export function toObserved(shape: ScimUserShape, user: UpstreamUser): ObservedUser {
  const email = user.emails?.find((e) => e.primary)?.value ?? user.emails?.[0]?.value ?? user.userName;
  return {
    email,
    role: shape.observedRole(user),
    // SCIM shows only `active`: an invited user who has not logged in yet is active here.
    status: user.active === false ? 'deactivated' : 'active',
    ...(user.displayName ? { displayName: user.displayName } : {}),
    appId: user.id,
  };
}

function toInput(shape: ScimUserShape, user: DesiredUser): UpstreamUserInput {
  return {
    userName: user.email,
    email: user.email,
    givenName: user.givenName,
    familyName: user.familyName,
    displayName: user.displayName,
    ...(shape.scimRole ? { roles: [shape.scimRole(user)] } : {}),
  };
}

export async function mustFind(shape: ScimUserShape, api: ScimUpstream, email: string): Promise<UpstreamUser> {
  const user = await api.findUserByUserName(email);
  if (!user) throw new PermanentAppError('user_refused', `No ${shape.name} user ${email} is visible over SCIM`);
  return user;
}

export async function idOf(shape: ScimUserShape, api: ScimUpstream, user: ObservedUser): Promise<string> {
  return user.appId ?? (await mustFind(shape, api, user.email)).id;
}

/** Brings the user's IdP groups in line with `groups`; groups the app made by hand are not touched. */
async function syncGroups(api: ScimUpstream, user: UpstreamUser, groups: string[]): Promise<void> {
  const wanted = new Map(groups.map((g) => [g.toLowerCase(), g]));
  const current = user.groups ?? [];
  const have = new Set(current.flatMap((g) => (g.display ? [g.display.toLowerCase()] : [])));
  for (const [key, name] of wanted) {
    if (have.has(key)) continue;
    const group = await api.ensureGroup(name);
    await api.addMembers(group.id, [user.id]);
  }
  for (const group of current) {
    if (group.display && !wanted.has(group.display.toLowerCase())) await api.removeMembers(group.value, [user.id]);
  }
}

/** Profile (role when sent over SCIM) and groups, for a user that exists upstream. */
export async function converge(shape: ScimUserShape, api: ScimUpstream, existing: UpstreamUser, user: DesiredUser, active?: boolean): Promise<UpstreamUser> {
  const input = { ...toInput(shape, user), ...(active === undefined ? {} : { active }) };
  const updated = await api.updateUser(existing.id, input, 'patch');
  const merged = { ...updated, groups: updated.groups ?? existing.groups };
  if (shape.groups) await syncGroups(api, merged, user.groups);
  return merged;
}

/** Looks the user up first, creates when absent (adopting on 409), and converges what existed. */
export async function ensureUser(shape: ScimUserShape, api: ScimUpstream, user: DesiredUser): Promise<UpstreamUser> {
  const found = await api.findUserByUserName(user.email);
  if (found) return converge(shape, api, found, user, true);
  const { user: created, adopted } = await api.createUser({ ...toInput(shape, user), active: true });
  if (adopted) return converge(shape, api, created, user, true);
  if (shape.groups) await syncGroups(api, created, user.groups);
  return created;
}

/** Only the role over SCIM (Spekit's changeRole): other attributes are left as they are. */
export async function setScimRole(shape: ScimUserShape, api: ScimUpstream, user: DesiredUser): Promise<void> {
  if (!shape.scimRole) throw new Error(`${shape.name} sets roles in the browser, not over SCIM`);
  const existing = await mustFind(shape, api, user.email);
  await api.updateUser(existing.id, { userName: existing.userName, roles: [shape.scimRole(user)] }, 'patch');
}
