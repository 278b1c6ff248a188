/**
 * User operations through Spekit's SCIM API. userName is the user's email; SCIM groups become
 * Spekit teams (looked up by displayName first: Spekit makes a second team with the same name);
 * a team role is the user's SCIM `roles` value when it names one, else Viewer.
 */
import type { DesiredUser, ObservedUser } from '../../core/connector.ts';
import { PermanentAppError } from '../../core/errors.ts';
import type { ScimUpstream, UpstreamUser, UpstreamUserInput } from '../lib/scim-upstream/index.ts';
import { withSpekitApi } from './api.ts';
import { SPEKIT_ROLES, spekitRole, type SpekitContext } from './settings.ts';

export function toObserved(user: UpstreamUser): ObservedUser {
  const email = user.emails?.find((e) => e.primary)?.value ?? user.emails?.[0]?.value ?? user.userName;
  const role = user.roles?.map((r) => r.value).find((v) => (SPEKIT_ROLES as readonly string[]).includes(v));
  return {
    email,
    role: role ?? 'Viewer',
    // SCIM shows only `active`; Spekit's Pending (before first login) is active here.
    status: user.active === false ? 'deactivated' : 'active',
    ...(user.displayName ? { displayName: user.displayName } : {}),
    appId: user.id,
  };
}

function toInput(user: DesiredUser): UpstreamUserInput {
  return {
    userName: user.email,
    email: user.email,
    givenName: user.givenName,
    familyName: user.familyName,
    displayName: user.displayName,
    roles: [spekitRole(user.role)],
  };
}

async function mustFind(api: ScimUpstream, email: string): Promise<UpstreamUser> {
  const user = await api.findUserByUserName(email);
  if (!user) throw new PermanentAppError('user_refused', `No Spekit user ${email} is visible over SCIM`);
  return user;
}

/** Brings the user's IdP teams in line with `groups`; teams Spekit made by hand are not touched. */
async function syncTeams(api: ScimUpstream, user: UpstreamUser, groups: string[]): Promise<void> {
  const wanted = new Map(groups.map((g) => [g.toLowerCase(), g]));
  const current = user.groups ?? [];
  const have = new Set(current.flatMap((g) => (g.display ? [g.display.toLowerCase()] : [])));
  for (const [key, name] of wanted) {
    if (have.has(key)) continue;
    const team = await api.ensureGroup(name);
    await api.addMembers(team.id, [user.id]);
  }
  for (const group of current) {
    if (group.display && !wanted.has(group.display.toLowerCase())) await api.removeMembers(group.value, [user.id]);
  }
}

/** Profile, role and teams, for a user that already exists upstream. */
async function converge(api: ScimUpstream, existing: UpstreamUser, user: DesiredUser, active?: boolean): Promise<void> {
  const input = { ...toInput(user), ...(active === undefined ? {} : { active }) };
  const updated = await api.updateUser(existing.id, input, 'patch');
  await syncTeams(api, { ...updated, groups: updated.groups ?? existing.groups }, user.groups);
}

async function idOf(api: ScimUpstream, user: ObservedUser): Promise<string> {
  return user.appId ?? (await mustFind(api, user.email)).id;
}

export const userOperations = {
  findUser: (ctx: SpekitContext, email: string) =>
    withSpekitApi(ctx, async (api) => {
      const user = await api.findUserByUserName(email);
      return user ? toObserved(user) : null;
    }),

  /** "Invite" is a SCIM create; Spekit shows the user as Pending until their first login. */
  invite: (ctx: SpekitContext, user: DesiredUser) =>
    withSpekitApi(ctx, async (api) => {
      const { user: created, adopted } = await api.createUser({ ...toInput(user), active: true });
      if (adopted) await converge(api, created, user, true);
      else await syncTeams(api, created, user.groups);
    }),

  changeRole: (ctx: SpekitContext, user: DesiredUser) =>
    withSpekitApi(ctx, async (api) => {
      const existing = await mustFind(api, user.email);
      await api.updateUser(existing.id, { userName: existing.userName, roles: [spekitRole(user.role)] }, 'patch');
    }),

  update: (ctx: SpekitContext, user: DesiredUser) =>
    withSpekitApi(ctx, async (api) => converge(api, await mustFind(api, user.email), user)),

  deactivate: (ctx: SpekitContext, user: ObservedUser) =>
    withSpekitApi(ctx, async (api) => api.deactivateUser(await idOf(api, user))),

  reactivate: (ctx: SpekitContext, user: DesiredUser) =>
    withSpekitApi(ctx, async (api) => converge(api, await mustFind(api, user.email), user, true)),

  /**
   * Deprovisioning deactivates in Spekit; only an IdP DELETE with deleteOnDeprovision deletes
   * (active=false is a deactivation even then: the IdP may turn the user back on).
   */
  remove: (ctx: SpekitContext, user: ObservedUser, why?: { deleted: boolean }) =>
    withSpekitApi(ctx, async (api) => {
      const id = await idOf(api, user);
      if (ctx.settings.deleteOnDeprovision && why?.deleted) await api.deleteUser(id);
      else await api.deactivateUser(id);
    }),

  listUsers: (ctx: SpekitContext) => withSpekitApi(ctx, async (api) => (await api.listUsers()).map(toObserved)),
};
