/**
 * Hex connection settings and role names. Which role a user gets (roleMap, groupRoleMap,
 * defaultRole) and what deprovisioning does (deprovision) are connection settings the gateway
 * applies for every connector (core/provisioning/desired.ts); only Hex's own knobs live here.
 */
import { z } from 'zod';
import type { ConnectorContext } from '../../core/connector.ts';
import { tokenSettings, type RoleCatalog } from '../lib/hybrid/index.ts';

/** Most privileged first (hex.md, "Workspace roles"); Explorer exists on Team and Enterprise. */
export const HEX_ROLES = ['Admin', 'Manager', 'Editor', 'Explorer', 'Viewer', 'Guest'] as const;
export type HexRole = (typeof HEX_ROLES)[number];

/** Admin is never assigned, demoted or deactivated: the connector's own account is one. */
export const HEX_CATALOG: RoleCatalog = { roles: HEX_ROLES, protectedRoles: ['Admin'] };

/** Hex's SCIM base URL under the workspace's origin (hex.md: the seed's `/api/v1/scim/v2`). */
export const SCIM_PATH = '/api/v1/scim/v2';

export const hexSettingsSchema = z.object({ ...tokenSettings });
export type HexSettings = z.infer<typeof hexSettingsSchema>;
export type HexContext = ConnectorContext<HexSettings>;
