/** Spekit connection settings, role names and the vault keys the connector keeps between runs. */
import { z } from 'zod';
import type { ConnectorContext } from '../../core/connector.ts';

/** Most privileged first, as the gateway reads capabilities.roles (core/provisioning/desired.ts: the last is the default). */
export const SPEKIT_ROLES = ['Team Admin', 'Expert', 'Viewer'] as const;
export type SpekitRole = (typeof SPEKIT_ROLES)[number];

export const spekitSettingsSchema = z.object({
  /** Rotate Spekit's SCIM token every N days (the runner schedules it); absent: on demand only. */
  appTokenRotationDays: z.number().int().min(1).max(365).optional(),
  /** A SCIM DELETE from the IdP deletes the Spekit user; default false: it deactivates them. */
  deleteOnDeprovision: z.boolean().default(false),
});
export type SpekitSettings = z.infer<typeof spekitSettingsSchema>;
export type SpekitContext = ConnectorContext<SpekitSettings>;

/** What the connector keeps in the connection's vault. */
export const VAULT = {
  /** Spekit's SCIM bearer token (a secret). */
  appToken: 'appToken',
  /** The SCIM Endpoint URL the SCIM step shows. */
  endpointUrl: 'endpointUrl',
  /** "Token created <date>" as Spekit shows it, to tell whether a failed Regenerate took effect. */
  tokenCreatedAt: 'tokenCreatedAt',
} as const;

/** The user's role when it names a Spekit team role (any case), else Viewer (spekit.md). */
export function spekitRole(role: string | null | undefined): SpekitRole {
  const wanted = (role ?? '').trim().toLowerCase();
  return SPEKIT_ROLES.find((r) => r.toLowerCase() === wanted) ?? 'Viewer';
}
