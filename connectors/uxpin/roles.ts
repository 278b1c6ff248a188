/** UXPin's role names (Enterprise); the checks before touching a user are the shared ones (connectors/lib/roles.ts). */
import type { RoleCatalog } from '../lib/roles.ts';

export const UXPIN_ROLES = ['Owner', 'Admin', 'Manager', 'Creator', 'Collaborator', 'Developer'] as const;
/** Every account has exactly one Owner, who cannot be invited, demoted or removed here. */
export const PROTECTED_ROLES = ['Owner'] as const;
export const UXPIN_CATALOG: RoleCatalog = { app: 'UXPin', roles: [...UXPIN_ROLES], protectedRoles: [...PROTECTED_ROLES] };
