/**
 * What a drift scan finds (issue 18, item 1): the app's members read from its own screens, set
 * against the desired state the IdP asked for. Findings are kept per connection with the first and
 * the last scan that saw them; each names the run whose evidence shows the screens read.
 */
import { z } from 'zod';

/**
 * - `unknown`: a member the IdP never knew (a shadow account, e.g. added by hand in the app).
 * - `role_differs`: an IdP-known member whose app role is not the desired one.
 * - `should_be_gone`: an IdP-known user who must not be a member (or must be deactivated) and is.
 * - `missing`: an IdP-known user who should be a member and is not (or is deactivated).
 */
export const FINDING_KINDS = ['unknown', 'role_differs', 'should_be_gone', 'missing'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** Words for each kind, as the console and the CLI say them. */
export const KIND_WORDS: Record<FindingKind, string> = {
  unknown: 'unknown to the IdP',
  role_differs: 'role differs',
  should_be_gone: 'should be gone but is there',
  missing: 'should be there but is missing',
};

/** One difference as a comparison finds it, before it is stored. */
export const draftSchema = z.object({
  kind: z.enum(FINDING_KINDS),
  /** The address the app shows (lower case); the finding's identity with its kind. */
  email: z.string(),
  /** The SCIM user, for every kind but `unknown`. */
  userId: z.string().optional(),
  observedRole: z.string().nullable().optional(),
  observedStatus: z.string().optional(),
  desiredRole: z.string().optional(),
  detail: z.string(),
});
export type FindingDraft = z.infer<typeof draftSchema>;

export const findingSchema = draftSchema.extend({
  firstSeen: z.string(),
  lastSeen: z.string(),
  /** The scan run that first saw it, and the last one (its evidence shows the screens read). */
  firstRunId: z.string(),
  runId: z.string(),
});
export type Finding = z.infer<typeof findingSchema>;

/** A shadow account an admin allowed (break-glass admin, service account): scans stay quiet about it. */
export const allowanceSchema = z.object({
  email: z.string(),
  reason: z.string(),
  /** The admin token id (or console session's token) that allowed it. */
  by: z.string(),
  at: z.string(),
});
export type Allowance = z.infer<typeof allowanceSchema>;

export const scanSummarySchema = z.object({
  runId: z.string(),
  at: z.string(),
  /** Members the app listed. */
  members: z.number().int().min(0),
  findings: z.number().int().min(0),
  /** Converge jobs the scan enqueued (`drift: "repair"`). */
  repaired: z.number().int().min(0),
});
export type ScanSummary = z.infer<typeof scanSummarySchema>;

/** Input of an allowance from the admin API and the console form. */
export const allowInputSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  reason: z.string().trim().min(3, 'say why this account may stay (at least 3 characters)').max(500),
}).strict();

/** `drift` when unset: differences are reported, not converged. */
export const DEFAULT_DRIFT_MODE = 'report';
/** `driftScanHours` when unset. */
export const DEFAULT_DRIFT_SCAN_HOURS = 24;
