/** Hyperproof connection settings and role names (hyperproof.md). */
import { z } from 'zod';
import type { ConnectorContext } from '../../core/connector.ts';
import { tokenSettings, type RoleCatalog } from '../lib/hybrid/index.ts';

/**
 * Hyperproof's organizational roles, most privileged first (the gateway's chooseRole reads them
 * so, and without any mapping gives the last). Entra's app-role values (ORGANIZATION_ADMINISTRATOR,
 * COMPLIANCE_MANAGER, USER, LIMITED_ACCESS_USER) are mapped to these by the connection's roleMap.
 */
export const HYPERPROOF_ROLES = ['Admin', 'Compliance manager', 'User', 'Limited access user', 'External auditor'] as const;
export type HyperproofRole = (typeof HYPERPROOF_ROLES)[number];

/** No protected role: the IdP may make anyone Admin; the admin's own People row is disabled by the app itself. */
export const HYPERPROOF_CATALOG: RoleCatalog = { roles: HYPERPROOF_ROLES, protectedRoles: [] };

/** The roleMap an Entra connection uses: Entra's app-role values to Hyperproof's role names. */
export const ENTRA_ROLE_MAP: Readonly<Record<string, HyperproofRole>> = {
  ORGANIZATION_ADMINISTRATOR: 'Admin',
  COMPLIANCE_MANAGER: 'Compliance manager',
  USER: 'User',
  LIMITED_ACCESS_USER: 'Limited access user',
};

export const hyperproofSettingsSchema = z.object({ ...tokenSettings });
export type HyperproofSettings = z.infer<typeof hyperproofSettingsSchema>;
export type HyperproofContext = ConnectorContext<HyperproofSettings>;
