/** Per-connection settings for UXPin; defaults follow shared/apps/uxpin.md. */
import { z } from 'zod';

export const uxpinSettings = z.object({
  /** Where the team screen lives below the base URL (a third-party guide gives /team). */
  teamPath: z.string().startsWith('/').default('/team'),
  loginPath: z.string().startsWith('/').default('/login'),
  /** How long one screen may take to answer before the step counts as a transient failure. */
  actionTimeoutMs: z.number().int().min(500).max(120_000).default(15_000),
});

export type UxpinSettings = z.infer<typeof uxpinSettings>;
