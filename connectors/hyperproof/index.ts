/**
 * Hyperproof: SCIM 2.0 for users once SSO works and provisioning is switched on in the admin page;
 * roles and permanent deletion only in the admin page. The browser turns provisioning on, rotates
 * the token, sets roles and deletes; users go through Hyperproof's SCIM (hyperproof.md).
 */
import { defineConnector } from '../../core/connector.ts';
import { check } from './check.ts';
import { HYPERPROOF_ROLES, hyperproofSettingsSchema } from './settings.ts';
import { logIn, rotateToken, setupToken } from './token.ts';
import { userOperations } from './users.ts';

export const hyperproofConnector = defineConnector({
  id: 'hyperproof',
  name: 'Hyperproof',
  capabilities: {
    invite: true,
    changeRole: true,
    remove: true,
    deactivate: true,
    listUsers: true,
    groups: false,
    bulkInvite: false,
    roles: HYPERPROOF_ROLES,
    protectedRoles: [],
  },
  settings: hyperproofSettingsSchema,
  operations: {
    login: logIn,
    ...userOperations,
    check,
    tasks: { setup: setupToken, rotate: rotateToken },
  },
});

export default hyperproofConnector;
export { ENTRA_ROLE_MAP, HYPERPROOF_ROLES, hyperproofSettingsSchema } from './settings.ts';
export type { HyperproofRole, HyperproofSettings } from './settings.ts';
