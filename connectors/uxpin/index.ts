/**
 * UXPin: no user API and no SCIM, so every change goes through the team screen (Manage your team →
 * User Management). See shared/apps/uxpin.md for the screens this connector drives.
 */
import { defineConnector } from '../../core/connector.ts';
import { check } from './check.ts';
import { changeRole, findUser, invite, inviteMany, listUsers, remove } from './members.ts';
import { PROTECTED_ROLES, UXPIN_ROLES } from './roles.ts';
import { login } from './session.ts';
import { uxpinSettings } from './settings.ts';

export { uxpinSettings, type UxpinSettings } from './settings.ts';
export { UXPIN_ROLES } from './roles.ts';

export const uxpin = defineConnector({
  id: 'uxpin',
  name: 'UXPin',
  capabilities: {
    invite: true,
    changeRole: true,
    remove: true,
    // UXPin has no deactivation: active=false or a SCIM delete removes the user from the team.
    deactivate: false,
    listUsers: true,
    groups: false,
    bulkInvite: true,
    roles: UXPIN_ROLES,
    protectedRoles: PROTECTED_ROLES,
  },
  settings: uxpinSettings,
  operations: { login, findUser, invite, inviteMany, changeRole, remove, listUsers, check },
});
