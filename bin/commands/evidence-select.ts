/**
 * What `evidence export` selects, checked before a bundle is written: real calendar dates, and a
 * `--user` given as a SCIM user id or an email (matched in the runs' recorded desired state), which
 * must have runs, so a typo is an error rather than an empty bundle with exit 0.
 */
import { planExport, type ExportSelection } from '../../runner/evidence/export.ts';
import { CliError } from './shared.ts';

/** 2026-02-31 matches YYYY-MM-DD but is no day; a bundle for it would silently be empty. */
export function checkDay(flag: string, value: string | undefined): void {
  if (value === undefined) return;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [year, month, day] = match ? match.slice(1).map(Number) as [number, number, number] : [0, 0, 0];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (!match || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new CliError(`evidence export: ${flag} ${value} is not a date (use YYYY-MM-DD, a real calendar day)`);
  }
}

const emailOf = (trigger: Record<string, unknown>) => {
  const desired = trigger.desired as { email?: unknown } | undefined;
  return typeof desired?.email === 'string' ? desired.email.toLowerCase() : undefined;
};

/** Turns `--user EMAIL` into the user id its runs recorded; refuses a user with no runs in the selection. */
export async function resolveUser(dir: string, selection: ExportSelection, user: string): Promise<string> {
  if (!selection.connectionId) throw new CliError('evidence export: --user needs --connection (the connection the user is provisioned into)');
  const { runs } = await planExport(dir, selection);
  const byId = runs.some((run) => run.manifest.trigger.userId === user);
  if (byId) return user;
  const wanted = user.toLowerCase();
  const ids = new Set(runs.filter((run) => emailOf(run.manifest.trigger) === wanted).map((run) => String(run.manifest.trigger.userId)));
  const range = selection.from || selection.to ? ` between ${selection.from ?? 'the start'} and ${selection.to ?? 'today'}` : '';
  if (ids.size === 0) {
    throw new CliError(`evidence export: no runs of user ${user} in connection ${selection.connectionId}${range} (give a SCIM user id or the user's email)`, 1);
  }
  if (ids.size > 1) throw new CliError(`evidence export: ${user} was more than one SCIM user (${[...ids].join(', ')}); pass the user id`, 1);
  return [...ids][0]!;
}
