/** Spekit connection settings, role names and the vault keys the connector keeps between runs. */
import { z } from 'zod';
import type { ConnectorContext } from '../../core/connector.ts';
import { assignableRole, tokenSettings } from '../lib/hybrid/index.ts';

/** Most privileged first, as the gateway reads capabilities.roles (core/provisioning/desired.ts: the last is the default). */
export const SPEKIT_ROLES = ['Team Admin', 'Expert', 'Viewer'] as const;
export type SpekitRole = (typeof SPEKIT_ROLES)[number];
export const SPEKIT_CATALOG = { roles: SPEKIT_ROLES, protectedRoles: [] };

export const spekitSettingsSchema = z.object({
  ...tokenSettings,
  /** A SCIM DELETE from the IdP deletes the Spekit user; default false: it deactivates them. */
  deleteOnDeprovision: z.boolean().default(false),
});
export type SpekitSettings = z.infer<typeof spekitSettingsSchema>;
export type SpekitContext = ConnectorContext<SpekitSettings>;

export { VAULT } from '../lib/hybrid/index.ts';

/** The user's role when it names a Spekit team role (any case), else Viewer (spekit.md). */
export function spekitRole(role: string | null | undefined): SpekitRole {
  return assignableRole(SPEKIT_CATALOG, role, 'Viewer') as SpekitRole;
}
