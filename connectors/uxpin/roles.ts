/** UXPin's role names (Enterprise) and the checks the connector makes before touching a user. */
import { PermanentAppError } from '../../core/errors.ts';

export const UXPIN_ROLES = ['Owner', 'Admin', 'Manager', 'Creator', 'Collaborator', 'Developer'] as const;
/** Every account has exactly one Owner, who cannot be invited, demoted or removed here. */
export const PROTECTED_ROLES = ['Owner'] as const;

/** The app's spelling of `name`, matched case-insensitively, or undefined. */
export function canonicalRole(name: string | null | undefined): string | undefined {
  const key = name?.trim().toLowerCase();
  return UXPIN_ROLES.find((role) => role.toLowerCase() === key);
}

export function isProtectedRole(name: string | null | undefined): boolean {
  const role = canonicalRole(name);
  return role !== undefined && (PROTECTED_ROLES as readonly string[]).includes(role);
}

/** The role to hand out: known to UXPin and not protected, else a permanent error. */
export function assignableRole(name: string): string {
  const role = canonicalRole(name);
  if (!role) throw new PermanentAppError('unknown_role', `UXPin has no role named "${name}" (roles: ${UXPIN_ROLES.join(', ')})`);
  if (isProtectedRole(role)) throw new PermanentAppError('owner_protected', `the ${role} role is never assigned by scimwright`);
  return role;
}

export function refuseProtected(email: string, role: string | null): void {
  if (isProtectedRole(role)) {
    throw new PermanentAppError('owner_protected', `${email} is the account's ${role}; scimwright never changes or removes them`);
  }
}
