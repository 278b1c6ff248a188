/**
 * The connector's side of role choice. Which role a user should have is decided once, by the
 * gateway, for every connector (core/provisioning/desired.ts `chooseRole`: the primary SCIM
 * `roles` value naming an app role in any case or mapped by roleMap, else groupRoleMap for one of
 * the user's groups with the most privileged winning, else defaultRole, else the least role;
 * never a protected one). A connector only spells the chosen name the app's way and refuses to
 * touch a user who holds a protected role (never assigned, demoted or deactivated).
 */
import type { ConnectorCapabilities } from '../../../core/connector.ts';
import { PermanentAppError } from '../../../core/errors.ts';

export type RoleCatalog = Pick<ConnectorCapabilities, 'roles' | 'protectedRoles'>;

/** The app's spelling of `name`, matched case-insensitively and trimmed, or undefined. */
export function canonicalRole(catalog: RoleCatalog, name: string | null | undefined): string | undefined {
  const key = name?.trim().toLowerCase();
  return key ? catalog.roles.find((role) => role.toLowerCase() === key) : undefined;
}

export function isProtectedRole(catalog: RoleCatalog, name: string | null | undefined): boolean {
  const role = canonicalRole(catalog, name);
  return role !== undefined && catalog.protectedRoles.includes(role);
}

/** The least privileged role scimwright may assign: the last one listed that is not protected. */
export function leastRole(catalog: RoleCatalog): string {
  const role = [...catalog.roles].reverse().find((r) => !catalog.protectedRoles.includes(r));
  if (!role) throw new PermanentAppError('unknown_role', 'The connector declares no role scimwright may assign.');
  return role;
}

/**
 * The role to hand out for `name`: the app's spelling; a name the app lacks becomes `fallback`
 * when given (Spekit: Viewer), else a permanent error; a protected role is always refused.
 */
export function assignableRole(catalog: RoleCatalog, name: string | null | undefined, fallback?: string): string {
  const role = canonicalRole(catalog, name) ?? (fallback === undefined ? undefined : canonicalRole(catalog, fallback));
  if (!role) throw new PermanentAppError('unknown_role', `The app has no role named "${name ?? ''}" (roles: ${catalog.roles.join(', ')})`);
  if (catalog.protectedRoles.includes(role)) throw new PermanentAppError('owner_protected', `the ${role} role is never assigned by scimwright`);
  return role;
}

/** Stops before changing or deprovisioning a user who holds a protected role. */
export function refuseProtected(catalog: RoleCatalog, email: string, role: string | null | undefined): void {
  if (isProtectedRole(catalog, role)) {
    throw new PermanentAppError('owner_protected', `${email} holds the ${canonicalRole(catalog, role)} role; scimwright never changes or deprovisions them`);
  }
}
