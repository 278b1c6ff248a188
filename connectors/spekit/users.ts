/**
 * Spekit's users over its SCIM API through the kit: userName is the email; SCIM groups become
 * Spekit teams (looked up by displayName first: Spekit makes a second team with the same name);
 * the team role is sent as the SCIM `roles` value when it names one, else Viewer. Deprovisioning
 * deactivates; only an IdP DELETE with deleteOnDeprovision deletes (active=false stays a
 * deactivation even then: the IdP may turn the user back on).
 */
import { hybridUserOperations } from '../lib/hybrid/index.ts';
import { SPEKIT_CATALOG, SPEKIT_ROLES, spekitRole, type SpekitSettings } from './settings.ts';
import { rotateToken } from './token.ts';

const isSpekitRole = (value: string) => (SPEKIT_ROLES as readonly string[]).includes(value);

export const userOperations = hybridUserOperations<SpekitSettings>({
  name: 'Spekit',
  rotate: rotateToken,
  catalog: SPEKIT_CATALOG,
  groups: true,
  roles: {
    scim: {
      value: (user) => spekitRole(user.role),
      read: (user) => user.roles?.map((r) => r.value).find(isSpekitRole) ?? 'Viewer',
    },
  },
  removeMode: (ctx, why) => (ctx.settings.deleteOnDeprovision && why?.deleted ? 'delete' : 'deactivate'),
});
