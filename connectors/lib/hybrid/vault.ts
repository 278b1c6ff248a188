/**
 * What a hybrid connector keeps in its connection's vault, and the settings every one of them
 * shares. The key names are stored data: renaming one loses every connection's token.
 */
import { z } from 'zod';
import type { ConnectorContext } from '../../../core/connector.ts';
import { ROTATION_SETTING } from '../../../core/app-token-schedule.ts';
import { PermanentAppError } from '../../../core/errors.ts';

export const VAULT = {
  /** The app's SCIM bearer token (a secret). */
  appToken: 'appToken',
  /** The SCIM base URL, as the app's page shows it or as the connector derives it. */
  endpointUrl: 'endpointUrl',
  /** When the app says the token was created, as it shows it: tells whether a failed issue took effect. */
  tokenCreatedAt: 'tokenCreatedAt',
} as const;

/** Settings fields a hybrid connector spreads into its own schema (`z.object({ ...tokenSettings, … })`). */
export const tokenSettings = {
  /** Rotate the app's SCIM token every N days (runner/app-token-scheduler.ts); absent: on demand only. */
  appTokenRotationDays: z.number().int().min(1).max(365).optional(),
} satisfies Record<typeof ROTATION_SETTING, z.ZodType>;

/** A vault value the operation cannot do without: missing means setup has not run. */
export async function requiredValue(ctx: ConnectorContext<unknown>, key: string, appName: string): Promise<string> {
  const value = await ctx.vault.get(key);
  if (!value) throw new PermanentAppError('setup_required', `${appName} is not set up for this connection yet: run setup to generate its SCIM token`);
  return value;
}
