/**
 * What an evidence export selects, checked before a bundle is made (issue 12, item 11): real
 * calendar days, and a user given as a SCIM user id or an email (matched, in any case, against the
 * email recorded in the runs' desired state), who must have runs in the selection — so a typo is an
 * error, not an empty bundle. Shared by `scimwright evidence export` and the console's export page.
 */
import { planExport, type ExportSelection } from './export.ts';
import { runEmail } from './export-summary.ts';

/** A refused selection; `issues` has the shape of a ZodError's, which both callers already show. */
export class ExportSelectionError extends Error {
  override readonly name = 'ExportSelectionError';
  readonly issues: Array<{ path: string[]; message: string }>;
  /** `usage`: the selection itself is wrong; `not_found`: it is well formed but names no runs. */
  constructor(readonly field: string, message: string, readonly kind: 'usage' | 'not_found' = 'usage') {
    super(message);
    this.issues = [{ path: [field], message }];
  }
}

/** 2026-02-31 matches YYYY-MM-DD but is no day; a bundle for it would silently be empty. */
export function isCalendarDay(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Turns a user given as an id or an email into the user id its runs recorded; refuses a user with no runs. */
export async function resolveExportUser(dir: string, selection: Omit<ExportSelection, 'userId'>, user: string): Promise<string> {
  if (!selection.connectionId) throw new ExportSelectionError('connectionId', 'a user export needs its connection (the connection the user is provisioned into)');
  const { runs } = await planExport(dir, selection);
  if (runs.some((run) => run.manifest.trigger.userId === user)) return user;
  const wanted = user.trim().toLowerCase();
  const ids = new Set(runs.filter((run) => runEmail(run.manifest.trigger) === wanted).map((run) => String(run.manifest.trigger.userId)));
  if (ids.size === 1) return [...ids][0]!;
  if (ids.size > 1) throw new ExportSelectionError('userId', `${user} was more than one SCIM user (${[...ids].join(', ')}); pass the user id`, 'not_found');
  const range = selection.from || selection.to ? ` between ${selection.from ?? 'the start'} and ${selection.to ?? 'today'}` : '';
  throw new ExportSelectionError('userId', `no runs of user ${user} in connection ${selection.connectionId}${range} (give a SCIM user id or the user's email)`, 'not_found');
}

/** Checks the days and resolves the user; what `exportEvidence` should then be given. */
export async function checkExportSelection(dir: string, input: ExportSelection): Promise<ExportSelection> {
  for (const field of ['from', 'to'] as const) {
    const value = input[field];
    if (value !== undefined && !isCalendarDay(value)) throw new ExportSelectionError(field, `${value} is not a date (use YYYY-MM-DD, a real calendar day)`);
  }
  if (input.from && input.to && input.from > input.to) throw new ExportSelectionError('to', `"from" ${input.from} is after "to" ${input.to}`);
  const { userId, ...range } = input;
  return userId ? { ...range, userId: await resolveExportUser(dir, range, userId) } : range;
}
