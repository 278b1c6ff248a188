/**
 * What `evidence export` selects, checked before a bundle is written (runner/evidence/export-select.ts,
 * shared with the console): real calendar dates, and a `--user` given as a SCIM user id or an email.
 */
import type { ExportSelection } from '../../runner/evidence/export.ts';
import { ExportSelectionError, isCalendarDay, resolveExportUser } from '../../runner/evidence/export-select.ts';
import { CliError } from './shared.ts';

export function checkDay(flag: string, value: string | undefined): void {
  if (value !== undefined && !isCalendarDay(value)) {
    throw new CliError(`evidence export: ${flag} ${value} is not a date (use YYYY-MM-DD, a real calendar day)`);
  }
}

/** Turns `--user EMAIL` into the user id its runs recorded; refuses a user with no runs in the selection. */
export async function resolveUser(dir: string, selection: ExportSelection, user: string): Promise<string> {
  try {
    return await resolveExportUser(dir, selection, user);
  } catch (error) {
    if (!(error instanceof ExportSelectionError)) throw error;
    const message = error.field === 'connectionId' ? '--user needs --connection (the connection the user is provisioned into)' : error.message;
    throw new CliError(`evidence export: ${message}`, error.kind === 'not_found' ? 1 : 2);
  }
}
