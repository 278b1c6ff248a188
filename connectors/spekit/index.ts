/**
 * Spekit: no user API, but SCIM 2.0 once an admin has connected SSO and generated a token in the
 * admin UI. The browser sets up and rotates that token; users go through Spekit's SCIM API.
 */
import { defineConnector } from '../../core/connector.ts';
import { check } from './check.ts';
import { spekitSettingsSchema, SPEKIT_ROLES } from './settings.ts';
import { logIn, rotateToken, setupToken } from './token.ts';
import { userOperations } from './users.ts';

export const spekitConnector = defineConnector({
  id: 'spekit',
  name: 'Spekit',
  capabilities: {
    invite: true,
    changeRole: true,
    remove: true,
    deactivate: true,
    listUsers: true,
    groups: true,
    bulkInvite: false,
    roles: SPEKIT_ROLES,
    protectedRoles: [],
  },
  settings: spekitSettingsSchema,
  operations: {
    login: logIn,
    ...userOperations,
    check,
    tasks: { setup: setupToken, rotate: rotateToken },
  },
});

export default spekitConnector;
export { spekitSettingsSchema, spekitRole, SPEKIT_ROLES, VAULT } from './settings.ts';
export type { SpekitRole, SpekitSettings } from './settings.ts';
