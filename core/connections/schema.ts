/** What a connection is: one app instance, its admin login and the provisioning policy for it. */
import { z } from 'zod';

/** No "_": Okta refuses base URLs that contain one (shared/idp.md). */
export const connectionIdSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'use 1–63 lower-case letters, digits and dashes (no "_": Okta refuses it in base URLs)');

const base32 = /^[A-Z2-7]+=*$/i;

/**
 * Evidence and logs hide a secret by finding its text; shorter secrets match ordinary text ("x" is
 * in every hostname), so they cannot be hidden safely and are refused (runner/evidence/redact.ts).
 */
export const MIN_SECRET_LENGTH = 8;
const tooShort = (what: string) => `${what} is too short: use at least ${MIN_SECRET_LENGTH} characters, so it can be hidden from logs and evidence`;

export const credentialsSchema = z
  .object({
    email: z.string().min(1).max(320),
    password: z.string().max(1024).refine((p) => p.trim().length >= MIN_SECRET_LENGTH, tooShort('the app admin password')),
    /** Base32 TOTP secret of the admin account, when the app asks for a second factor. */
    totpSecret: z.string().regex(base32, 'must be a base32 TOTP secret')
      .refine((t) => t.replace(/=+$/, '').length >= MIN_SECRET_LENGTH, tooShort('the TOTP secret')).optional(),
  })
  .strict();

export type Credentials = z.infer<typeof credentialsSchema>;

/** Pages per connection when `parallelPages` is unset (the measurement is in docs/parallel-pages.md). */
export const DEFAULT_PARALLEL_PAGES = 4;
export const MAX_PARALLEL_PAGES = 16;

/** The connection's page limit (settings.parallelPages or the default). */
export function parallelPagesOf(settings: Pick<ConnectionSettings, 'parallelPages'>): number {
  return settings.parallelPages ?? DEFAULT_PARALLEL_PAGES;
}

/** Modelled on a SCIM service provider's admin page (seed 004): create, roles, deprovisioning. */
export const settingsSchema = z
  .object({
    /** Invite users the app does not have yet. Off: only change and remove users who are already there. */
    createUsers: z.boolean().default(true),
    /** App role when neither `roles` nor groups decide; the connector's first non-protected role when unset. */
    defaultRole: z.string().min(1).optional(),
    /** SCIM `roles` value → app role (case-insensitive keys). */
    roleMap: z.record(z.string(), z.string().min(1)).default({}),
    /** SCIM group displayName → app role (case-insensitive keys). */
    groupRoleMap: z.record(z.string(), z.string().min(1)).default({}),
    /** What active=false and DELETE do in the app: remove the user, or deactivate where the app can. */
    deprovision: z.enum(['remove', 'deactivate']).default('remove'),
    /** Keep the app's display name in step with the IdP's. */
    syncDisplayName: z.boolean().default(true),
    /** Hours between scheduled read-only canary checks; 0 turns the schedule off. Unset: 24. */
    checkIntervalHours: z.number().int().min(0).max(8760).optional(),
    /** Hours between scheduled drift scans (docs/drift.md); 0 turns the schedule off. Unset: 24. */
    driftScanHours: z.number().int().min(0).max(8760).optional(),
    /**
     * What a drift scan does with differences for users the IdP knows: `report` them only, or
     * `repair` them at once with the normal converge jobs. Shadow accounts are only ever reported. Unset: report.
     */
    drift: z.enum(['report', 'repair']).optional(),
    /** Minutes an IdP deprovisioning may take to reach the app; the audit log marks slower ones (60 when unset). */
    deprovisionTargetMinutes: z.number().int().positive().max(525_600).optional(),
    /**
     * Pages driven at once on this connection, across all workers: one logged-in browser context
     * per worker, one page per job (runner/connection-slots.ts). Unset: DEFAULT_PARALLEL_PAGES.
     * 1 runs its jobs one at a time. The runner lowers it by itself while the app pushes back.
     */
    parallelPages: z.number().int().min(1).max(MAX_PARALLEL_PAGES).optional(),
    /** Connector-specific settings, validated by the connector's own schema. */
    app: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type ConnectionSettings = z.infer<typeof settingsSchema>;

export const createConnectionSchema = z
  .object({
    id: connectionIdSchema,
    connector: z.string().min(1),
    baseUrl: z.url({ protocol: /^https?$/ }),
    credentials: credentialsSchema,
    settings: settingsSchema.default(settingsSchema.parse({})),
  })
  .strict();

export type CreateConnection = z.infer<typeof createConnectionSchema>;

export const patchConnectionSchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    credentials: credentialsSchema.optional(),
    /** Merged into the current settings, key by key. */
    settings: settingsSchema.partial().optional(),
  })
  .strict();

export type PatchConnection = z.infer<typeof patchConnectionSchema>;

/** As stored: credentials sealed with AES-256-GCM, the SCIM token only as a keyed hash. */
export interface StoredConnection {
  id: string;
  connector: string;
  baseUrl: string;
  settings: ConnectionSettings;
  sealedCredentials: string;
  token: { hash: string; id: string; createdAt: string };
  createdAt: string;
  updatedAt: string;
}

/** What the admin API shows: never the password, TOTP secret or token. */
export function publicView(connection: StoredConnection, credentials: Credentials, scimBaseUrl: string) {
  return {
    id: connection.id,
    connector: connection.connector,
    baseUrl: connection.baseUrl,
    scimBaseUrl,
    settings: connection.settings,
    credentials: { email: credentials.email, totp: credentials.totpSecret !== undefined },
    token: { id: connection.token.id, createdAt: connection.token.createdAt },
    createdAt: connection.createdAt,
    updatedAt: connection.updatedAt,
  };
}
