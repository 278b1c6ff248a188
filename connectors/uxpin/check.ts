/**
 * UXPin's read-only canary check (issue 10, point 4): the walk every later operation depends on —
 * the team screen, a search that finds a known member, a search that finds nobody, one row read,
 * the Add new users dialog opened and cancelled. It clicks nothing that saves. Each screen that is
 * not as expected ends the check with a ScreenMismatchError naming that screen.
 */
import { randomBytes } from 'node:crypto';
import type { CheckReport } from '../../core/connector.ts';
import { expectScreen } from '../lib/screen/settle.ts';
import { ScreenMismatchError } from '../../core/errors.ts';
import { openTeam, type UxpinContext } from './session.ts';
import { guard, pollUntil } from './support.ts';

const TEAM = 'UXPin team page';
const ADD = 'UXPin Add new users dialog';

/** Runs one part of the walk through the connector's own error mapping (support.ts guard). */
const expect = <T>(screen: string, what: string, fn: () => Promise<T>): Promise<T> => expectScreen(screen, what, () => guard(fn));

/** An address no team has: a random local part under the reserved example.invalid domain. */
export function absentAddress(): string {
  return `scimwright-check-${randomBytes(6).toString('hex')}@example.invalid`;
}

export async function check(ctx: UxpinContext): Promise<CheckReport> {
  const observations: string[] = [];
  const team = await ctx.step('check: open the team page', () => expect(TEAM, 'the member list did not load', () => openTeam(ctx)));
  const rows = await ctx.step('check: read the member list', () => expect(TEAM, 'no member row could be read', () => team.readPage()));
  const known = rows.find((r) => r.email.toLowerCase() === ctx.credentials.email.toLowerCase()) ?? rows[0];
  if (!known) throw new ScreenMismatchError(TEAM, 'no member row is listed (an account has at least its Owner)');
  observations.push(`${TEAM}: ${rows.length} member row(s) listed on the first page`);
  const found = await ctx.step(`check: search for ${known.email}`, () => expect(TEAM, `the search for ${known.email} did not answer`, () => team.find(known.email)));
  if (!found) throw new ScreenMismatchError(TEAM, `searching for ${known.email}, who is listed, showed no row for them`);
  observations.push(`${TEAM}: searching for a listed member shows their row (role ${found.role ?? 'none'}, ${found.status})`);
  const absent = absentAddress();
  const none = await ctx.step('check: search for an absent address', () => expect(TEAM, `the search for an absent address (${absent}) did not answer`, () => team.find(absent)));
  if (none) throw new ScreenMismatchError(TEAM, `searching for an absent address (${absent}) showed a row for ${none.email}`);
  observations.push(`${TEAM}: searching for an absent address shows no row`);
  await ctx.step('check: open and cancel Add new users', () => expect(ADD, 'the dialog did not open, or did not close on Cancel', async () => {
    await team.openAddUsers();
    await cancelAddUsers(ctx);
  }));
  observations.push(`${ADD}: opens and closes on Cancel, nothing added`);
  return { observations };
}

/** Cancel (or Close) in the dialog; Escape when it offers neither. Nothing is submitted. */
async function cancelAddUsers(ctx: UxpinContext): Promise<void> {
  const page = await ctx.page();
  const dialog = page.getByRole('dialog', { name: /add new users/i });
  const cancel = dialog.getByRole('button', { name: /^\s*(cancel|close)\s*$/i });
  if ((await cancel.count()) > 0) await cancel.first().click({ timeout: ctx.settings.actionTimeoutMs });
  else await page.keyboard.press('Escape');
  const closed = await pollUntil(async () => (!(await dialog.isVisible()) ? true : undefined), ctx.settings.actionTimeoutMs);
  if (!closed) throw new Error('the dialog is still open after Cancel');
}
