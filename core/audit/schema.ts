/** One accepted SCIM change to one user, as the audit log shows it. */
export type AuditAction = 'create' | 'deactivate' | 'reactivate' | 'delete' | 'role' | 'update' | 'groups';
export type AuditOutcome = 'pending' | 'succeeded' | 'failed';

export const AUDIT_ACTIONS: AuditAction[] = ['create', 'deactivate', 'reactivate', 'delete', 'role', 'update', 'groups'];
export const AUDIT_OUTCOMES: AuditOutcome[] = ['pending', 'succeeded', 'failed'];

/** A field the change moved: "active" true → false, "role" Collaborator → Creator … */
export interface AuditDiff {
  field: string;
  from: string | null;
  to: string | null;
}

export interface AuditChange {
  /** Increasing: newer changes have larger ids (the cursor and every index are ordered by it). */
  id: number;
  at: string;
  connectionId: string;
  userId: string;
  email: string;
  /** Public id of the token that sent the request (the IdP), and the request id. */
  tokenId: string;
  requestId: string;
  /** "PATCH /Users/…" */
  request: string;
  action: AuditAction;
  changes: AuditDiff[];
  /** The user's provisioning generation after this change: a run at or past it carried it out. */
  generation: number;
  outcome: AuditOutcome;
  /** Failure reason code, or why a success did nothing. */
  reason?: string;
  error?: string;
  runId?: string;
  /** When the run that settled the change ended. */
  settledAt?: string;
}

/** Deprovisioning changes: the ones whose time to settle is measured against the target. */
export function isDeprovision(action: AuditAction): boolean {
  return action === 'deactivate' || action === 'delete';
}

/** Milliseconds from the IdP's request to the app change, once it succeeded. */
export function settleMs(change: AuditChange): number | undefined {
  if (change.outcome !== 'succeeded' || !change.settledAt) return undefined;
  return Date.parse(change.settledAt) - Date.parse(change.at);
}

export interface AuditQuery {
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  connection?: string;
  /** An email (exact match through the index) or part of one. */
  q?: string;
  /** The last id of the previous page: this page holds older changes. */
  cursor?: number;
  limit: number;
}

export interface AuditPage {
  changes: AuditChange[];
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  next?: number;
}
