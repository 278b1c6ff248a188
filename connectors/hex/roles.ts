/**
 * Workspace roles on Settings → Users, the part Hex's SCIM cannot do: set a role (through the seat
 * confirmation when it asks) and read it back from the list after a reload, never from the
 * message. A deactivated or locked row is not changed: its role is restored on reactivation.
 */
import { PermanentAppError, TransientAppError } from '../../core/errors.ts';
import type { BrowserRoles } from '../lib/hybrid/index.ts';
import { openUsers } from './session.ts';
import type { HexContext, HexSettings } from './settings.ts';

async function set(ctx: HexContext, email: string, role: string): Promise<void> {
  const users = await openUsers(ctx);
  const row = await users.find(email);
  if (!row) throw new TransientAppError(`Hex's Users page does not list ${email} yet`);
  if (row.role?.toLowerCase() === role.toLowerCase()) return;
  if (row.status === 'deactivated') throw new TransientAppError(`${email} is deactivated in Hex; its role is set once reactivated`);
  if (row.locked) throw new PermanentAppError('user_refused', `Hex does not let this account change the role of ${email}`);
  const outcome = await ctx.step(`set role of ${email} to ${role}`, () => users.chooseRole(email, role));
  if (outcome.kind !== 'saved') ctx.log('Hex did not confirm the role change; reading the list back', { email, outcome: outcome.kind, ...('message' in outcome ? { message: outcome.message } : {}) });
}

async function read(ctx: HexContext, email: string): Promise<string | null> {
  const users = await openUsers(ctx);
  return (await users.find(email))?.role ?? null;
}

/** One walk over every page of the list (no search), for listUsers. */
async function list(ctx: HexContext): Promise<Map<string, string>> {
  const users = await openUsers(ctx);
  await users.search('');
  const roles = new Map<string, string>();
  do for (const row of await users.readPage()) if (row.role) roles.set(row.email.toLowerCase(), row.role);
  while (await users.nextPage());
  return roles;
}

export const browserRoles: BrowserRoles<HexSettings> = { set, read, list };
