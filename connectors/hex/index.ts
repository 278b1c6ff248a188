/**
 * Hex: no user API, but SCIM 2.0 on Enterprise with a token an admin generates in the admin page,
 * and no way to set a workspace role over it. The browser sets up and rotates the token and sets
 * roles on Settings → Users; users and groups go through Hex's SCIM (hex.md).
 */
import { defineConnector } from '../../core/connector.ts';
import { check } from './check.ts';
import { logIn } from './session.ts';
import { HEX_ROLES, hexSettingsSchema } from './settings.ts';
import { rotateToken, setupToken } from './token.ts';
import { userOperations } from './users.ts';

export const hexConnector = defineConnector({
  id: 'hex',
  name: 'Hex',
  capabilities: {
    invite: true,
    changeRole: true,
    remove: true,
    deactivate: true,
    listUsers: true,
    groups: true,
    bulkInvite: false,
    roles: HEX_ROLES,
    protectedRoles: ['Admin'],
  },
  settings: hexSettingsSchema,
  operations: {
    login: logIn,
    ...userOperations,
    check,
    tasks: { setup: setupToken, rotate: rotateToken },
  },
});

export default hexConnector;
export { HEX_CATALOG, HEX_ROLES, hexSettingsSchema, SCIM_PATH } from './settings.ts';
export type { HexRole, HexSettings } from './settings.ts';
