/**
 * What the app should show for one SCIM user: member or not, and which app role. The role comes
 * from the user's primary `roles` value, else from a group, else the connection's default
 * (shared/apps/uxpin.md, "Choose the role").
 */
import type { ConnectorCapabilities, DesiredUser } from '../connector.ts';
import type { ConnectionSettings } from '../connections/schema.ts';
import { PermanentAppError } from '../errors.ts';

export interface DesiredState {
  user: DesiredUser;
  deprovision: ConnectionSettings['deprovision'];
  /** false when the connection does not create users: only existing app users are managed. */
  allowInvite: boolean;
  /** The SCIM user was deleted (DELETE), not only made inactive (active=false). */
  deleted?: boolean;
  /** The address the app knew the user by before a userName change: that account must go. */
  previousEmail?: string;
  /**
   * Another SCIM user of the connection wants this (not-member) user's address in the app, e.g. the
   * same person deleted and created again: the app's account is theirs now and is left alone.
   */
  heldBy?: string;
}

interface ScimUserLike {
  userName?: unknown;
  active?: unknown;
  displayName?: unknown;
  name?: { givenName?: unknown; familyName?: unknown; formatted?: unknown };
  emails?: Array<{ value?: unknown; primary?: unknown; type?: unknown }>;
  roles?: Array<{ value?: unknown; primary?: unknown }>;
}

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The address the app knows the user by: userName when it is an email, else the primary email. */
export function appEmail(user: ScimUserLike): string | undefined {
  const userName = str(user.userName);
  if (userName?.includes('@')) return userName.toLowerCase();
  const emails = user.emails ?? [];
  const primary = emails.find((e) => e.primary === true) ?? emails.find((e) => e.type === 'work') ?? emails[0];
  return str(primary?.value)?.toLowerCase() ?? userName?.toLowerCase();
}

function lookup(map: Record<string, string>, key: string): string | undefined {
  const lower = key.toLowerCase();
  return Object.entries(map).find(([k]) => k.toLowerCase() === lower)?.[1];
}

function appRoleNamed(capabilities: ConnectorCapabilities, name: string): string | undefined {
  return capabilities.roles.find((role) => role.toLowerCase() === name.toLowerCase());
}

/** Resolves a configured name to the app's spelling; a name the app lacks is a permanent error. */
function resolveRole(capabilities: ConnectorCapabilities, name: string, source: string): string {
  const role = appRoleNamed(capabilities, name);
  if (!role) {
    throw new PermanentAppError('unknown_role', `${source} names the role "${name}", which the app does not have (roles: ${capabilities.roles.join(', ')}).`);
  }
  if (capabilities.protectedRoles.includes(role)) {
    throw new PermanentAppError('owner_protected', `${source} names the role "${role}", which scimwright never assigns.`);
  }
  return role;
}

export function chooseRole(
  user: ScimUserLike,
  groupNames: string[],
  settings: ConnectionSettings,
  capabilities: ConnectorCapabilities,
): string {
  const roles = user.roles ?? [];
  const primary = roles.find((r) => r.primary === true || r.primary === 'true' || r.primary === 'True') ?? roles[0];
  const roleValue = str(primary?.value);
  if (roleValue) {
    const mapped = lookup(settings.roleMap, roleValue);
    if (mapped) return resolveRole(capabilities, mapped, `roleMap["${roleValue}"]`);
    return resolveRole(capabilities, roleValue, `The SCIM roles value "${roleValue}" (not in roleMap)`);
  }
  // Several mapped groups: the role listed first by the connector (most privileged first) wins.
  const fromGroups = groupNames
    .map((group) => lookup(settings.groupRoleMap, group))
    .filter((role): role is string => role !== undefined)
    .map((role) => resolveRole(capabilities, role, 'groupRoleMap'));
  if (fromGroups.length > 0) {
    return fromGroups.sort((a, b) => capabilities.roles.indexOf(a) - capabilities.roles.indexOf(b))[0]!;
  }
  if (settings.defaultRole) return resolveRole(capabilities, settings.defaultRole, 'defaultRole');
  const fallback = [...capabilities.roles].reverse().find((role) => !capabilities.protectedRoles.includes(role));
  if (!fallback) throw new PermanentAppError('unknown_role', 'The connector declares no role scimwright may assign.');
  return fallback;
}

/**
 * `user` is null once the SCIM user is deleted: then only `userName` (kept in the provisioning
 * state) is known, and the desired state is "not a member".
 */
export function computeDesired(
  user: ScimUserLike | null,
  fallbackUserName: string | undefined,
  groupNames: string[],
  settings: ConnectionSettings,
  capabilities: ConnectorCapabilities,
): DesiredState {
  const email = user ? appEmail(user) : fallbackUserName?.toLowerCase();
  if (!email) throw new PermanentAppError('invalid_job', 'The user has neither a userName nor an email address.');
  const active = user !== null && user.active !== false;
  const desired: DesiredUser = {
    email,
    member: active,
    // A removal needs no role; resolving one could fail on a stale mapping and block the removal.
    role: active ? chooseRole(user, groupNames, settings, capabilities) : '',
    groups: groupNames,
  };
  if (user && settings.syncDisplayName) {
    const displayName = str(user.displayName) ?? str(user.name?.formatted);
    if (displayName) desired.displayName = displayName;
    const given = str(user.name?.givenName);
    const family = str(user.name?.familyName);
    if (given) desired.givenName = given;
    if (family) desired.familyName = family;
  }
  return { user: desired, deprovision: settings.deprovision, allowInvite: settings.createUsers, deleted: user === null };
}
