/**
 * The audit log as rows for people and files: time to deprovision against the connection's
 * target, a query parsed from a URL, and CSV lines. Shared by the admin API and the console.
 */
import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, isDeprovision, settleMs, type AuditChange, type AuditQuery } from './schema.ts';
import type { AuditStore } from './store.ts';

export const DEFAULT_DEPROVISION_TARGET_MINUTES = 60;
/** Most rows one download holds. */
export const EXPORT_CAP = 100_000;

export interface AuditRow extends AuditChange {
  /** Deprovisioning only: ms from the IdP's request to the app change (once done). */
  deprovisionMs?: number;
  /** Deprovisioning took (or has been pending) longer than the connection's target. */
  breach?: boolean;
  targetMinutes?: number;
}

export function toRow(change: AuditChange, targetMinutes: number, now = Date.now()): AuditRow {
  if (!isDeprovision(change.action)) return change;
  const ms = settleMs(change);
  const waited = ms ?? (change.outcome === 'succeeded' ? 0 : now - Date.parse(change.at));
  return { ...change, ...(ms !== undefined ? { deprovisionMs: ms } : {}), breach: waited > targetMinutes * 60_000, targetMinutes };
}

const iso = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'not a date (use ISO 8601, e.g. 2026-12-01 or 2026-12-01T19:52:07Z)');
const blank = (v: unknown) => (v === '' ? undefined : v);

export const auditQuerySchema = z.object({
  from: z.preprocess(blank, iso.optional()),
  to: z.preprocess(blank, iso.optional()),
  action: z.preprocess(blank, z.enum(AUDIT_ACTIONS as [string, ...string[]]).optional()),
  outcome: z.preprocess(blank, z.enum(AUDIT_OUTCOMES as [string, ...string[]]).optional()),
  connection: z.preprocess(blank, z.string().max(200).optional()),
  q: z.preprocess(blank, z.string().max(320).optional()),
  cursor: z.preprocess(blank, z.coerce.number().int().positive().optional()),
  limit: z.preprocess(blank, z.coerce.number().int().min(1).max(500).default(50)),
  format: z.preprocess(blank, z.enum(['json', 'csv']).default('json')),
});

/** A bare date as `to` means the whole day. */
export function storeQuery(parsed: z.infer<typeof auditQuerySchema>): AuditQuery {
  const to = parsed.to && /^\d{4}-\d{2}-\d{2}$/.test(parsed.to) ? `${parsed.to}T23:59:59.999Z` : parsed.to;
  const out: AuditQuery = { limit: parsed.limit };
  if (parsed.from) out.from = parsed.from;
  if (to) out.to = to;
  if (parsed.action) out.action = parsed.action as AuditQuery['action'];
  if (parsed.outcome) out.outcome = parsed.outcome as AuditQuery['outcome'];
  if (parsed.connection) out.connection = parsed.connection;
  if (parsed.q) out.q = parsed.q;
  if (parsed.cursor) out.cursor = parsed.cursor;
  return out;
}

/** Every matching change, newest first, page by page (a download never holds them all at once). */
export async function* allMatching(store: AuditStore, query: AuditQuery, cap = EXPORT_CAP): AsyncGenerator<AuditChange> {
  let cursor = query.cursor;
  let sent = 0;
  do {
    const page = await store.query({ ...query, limit: 500, ...(cursor ? { cursor } : {}) });
    for (const change of page.changes) {
      if (sent++ >= cap) return;
      yield change;
    }
    cursor = page.next;
  } while (cursor);
}

export const CSV_HEADER = 'time,connection,actor_token,request_id,target_email,user_id,action,changes,outcome,reason,run_id,settled_at,deprovision_seconds,breach';

export function diffText(change: AuditChange): string {
  return change.changes.map((c) => `${c.field}: ${c.from ?? '∅'} → ${c.to ?? '∅'}`).join('; ');
}

function cell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // A leading = + - @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(row: AuditRow): string {
  return [row.at, row.connectionId, row.tokenId, row.requestId, row.email, row.userId, row.action, diffText(row), row.outcome,
    row.reason, row.runId, row.settledAt, row.deprovisionMs === undefined ? '' : (row.deprovisionMs / 1000).toFixed(2),
    row.breach === undefined ? '' : row.breach ? 'yes' : 'no'].map(cell).join(',');
}
