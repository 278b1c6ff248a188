/**
 * Hex's users and groups over its SCIM API through the kit, roles in the browser: userName is the
 * email; groups are looked up by displayName and take Hex's own user ids; `roles` is never sent.
 * `remove` is an upstream DELETE (deprovision "remove"); with "deactivate" the runner calls
 * `deactivate`, a PATCH active=false, for an IdP DELETE too.
 */
import { hybridUserOperations } from '../lib/hybrid/index.ts';
import { browserRoles } from './roles.ts';
import { HEX_CATALOG, type HexSettings } from './settings.ts';
import { rotateToken } from './token.ts';

export const userOperations = hybridUserOperations<HexSettings>({
  name: 'Hex',
  rotate: rotateToken,
  catalog: HEX_CATALOG,
  groups: true,
  roles: { browser: browserRoles },
});
