/**
 * The UXPin operations on members. Each one converges: it reads the list, does only what differs,
 * and trusts the list read back afterwards, never the toast (a write can fail after saving).
 */
import type { Page } from 'playwright-core';
import type { DesiredUser, ObservedUser } from '../../core/connector.ts';
import { TransientAppError } from '../../core/errors.ts';
import type { TeamPage, TeamRow } from './pages/team.page.ts';
import { assignableRole, canonicalRole, refuseProtected } from '../lib/roles.ts';
import { UXPIN_CATALOG } from './roles.ts';
import { currentTeam, openTeam, type UxpinContext } from './session.ts';
import { describe, guard, refusalOf, type ActionOutcome } from './support.ts';

function observed(row: TeamRow): ObservedUser {
  return {
    email: row.email,
    role: canonicalRole(UXPIN_CATALOG, row.role) ?? row.role,
    status: row.status,
    ...(row.name ? { displayName: row.name } : {}),
  };
}

function sameRole(a: string | null, b: string): boolean {
  return a?.toLowerCase() === b.toLowerCase();
}

interface Found {
  team: TeamPage;
  row: TeamRow | null;
}

/**
 * What findUser just read, for the write the runner calls next: the runner looks a user up right
 * before acting on them, and loading and searching again would read the same row a moment later.
 * Taken once, for the same address, while the page still shows that search and for a few seconds
 * only; searching or loading the screen again drops it, so nothing read before a write is used after it.
 */
const justFound = new WeakMap<Page, Found & { email: string; url: string; at: number }>();
const REUSE_MS = 10_000;

/** The team screen loaded afresh: whatever findUser read before no longer stands for it. */
async function freshTeam(ctx: UxpinContext): Promise<TeamPage> {
  justFound.delete(await ctx.page());
  return openTeam(ctx);
}

/**
 * Searches the team screen: in the page already open when it is still ready (TeamPage.isOpen),
 * else loaded afresh. Either way the row comes from the app's answer to this search, so nothing
 * on an older screen (a lingering toast, a stale row) is trusted. Used before a write unless
 * findUser just did it, and after a write the app did not read back by itself.
 */
async function lookUp(ctx: UxpinContext, email: string, step = `find ${email}`): Promise<Found> {
  justFound.delete(await ctx.page());
  const team = await currentTeam(ctx);
  const row = await ctx.step(step, () => team.find(email));
  return { team, row };
}

async function lookUpForWrite(ctx: UxpinContext, email: string): Promise<Found> {
  const page = await ctx.page();
  const found = justFound.get(page);
  justFound.delete(page);
  const fresh = found && found.email === email.toLowerCase() && found.url === page.url() && Date.now() - found.at < REUSE_MS;
  return fresh ? found : lookUp(ctx, email);
}

/**
 * The row after a write. When the app listed again after answering it (ActionOutcome.relisted),
 * the page shows that read already; else the list is searched again, in place where the screen is
 * still clean, after a reload where the write left a dialog or an error on it.
 */
async function readBack(ctx: UxpinContext, email: string, team: TeamPage, outcome: ActionOutcome): Promise<TeamRow | null> {
  const step = `read back ${email}`;
  if (outcome.kind === 'done' && outcome.relisted) return ctx.step(step, () => team.rowShown(email));
  return (await lookUp(ctx, email, step)).row;
}

/** A refusal the app gave for good (seats, address); anything else waits for the read-back. */
function refusalIn(outcome: ActionOutcome) {
  return outcome.kind === 'alert' ? refusalOf(outcome.message) : undefined;
}

/** Reads the list back: the write counts only when the row shows `role`, whatever the screen said. */
async function expectRole(ctx: UxpinContext, team: TeamPage, email: string, role: string, outcome: ActionOutcome): Promise<ObservedUser> {
  const row = await readBack(ctx, email, team, outcome);
  if (!row) throw new TransientAppError(`${email} is not listed (${describe(outcome)})`);
  if (!sameRole(row.role, role)) {
    throw new TransientAppError(`${email} is listed as ${row.role ?? 'no role'}, not ${role} (${describe(outcome)})`);
  }
  return observed(row);
}

export function findUser(ctx: UxpinContext, email: string): Promise<ObservedUser | null> {
  return guard(async () => {
    const found = await lookUp(ctx, email);
    const page = await ctx.page();
    justFound.set(page, { ...found, email: email.toLowerCase(), url: page.url(), at: Date.now() });
    return found.row && observed(found.row);
  });
}

/** Changes the role of a listed member; shared by changeRole and invites of existing members. */
async function setRole(ctx: UxpinContext, team: TeamPage, row: TeamRow, role: string): Promise<ObservedUser> {
  refuseProtected(UXPIN_CATALOG, row.email, row.role);
  if (sameRole(row.role, role)) {
    ctx.log('role already matches: nothing to do', { email: row.email, role });
    return observed(row);
  }
  const outcome = await ctx.step(`change role of ${row.email} to ${role}`, () => team.chooseRole(row.email, role));
  return expectRole(ctx, team, row.email, role, outcome);
}

export function invite(ctx: UxpinContext, user: DesiredUser): Promise<ObservedUser> {
  return guard(async () => {
    const role = assignableRole(UXPIN_CATALOG, user.role);
    const { team, row: existing } = await lookUpForWrite(ctx, user.email);
    if (existing) return setRole(ctx, team, existing, role);
    const outcome = await ctx.step(`invite ${user.email} as ${role}`, async () => {
      const shown = await team.withRelist(user.email, async () => (await team.openAddUsers()).inviteOne(user.email, role));
      // Thrown inside the step, so the evidence keeps the failure screenshot and the page's message.
      const refusal = refusalIn(shown);
      if (refusal) throw refusal;
      return shown;
    });
    return expectRole(ctx, team, user.email, role, outcome);
  });
}

/**
 * Invites through "add multiple users at once"; its Role applies to the whole batch, so one batch
 * per role. Nothing is looked up first: the runner sends users it has no record of in the app, and
 * an address UXPin calls "already a member" leaves the batch and gets its role set instead. The
 * runner reads every user back in that user's own run, so the batch does not read back here.
 */
export function inviteMany(ctx: UxpinContext, users: DesiredUser[]): Promise<void> {
  return guard(async () => {
    const byRole = new Map<string, string[]>();
    for (const user of users) {
      const role = assignableRole(UXPIN_CATALOG, user.role);
      byRole.set(role, [...(byRole.get(role) ?? []), user.email]);
    }
    for (const [role, emails] of byRole) await inviteBatch(ctx, emails, role);
  });
}

/** The address UXPin names in "<email> is already a member of this team", if it is in `emails`. */
function alreadyMember(outcome: ActionOutcome, emails: readonly string[]): string | undefined {
  if (outcome.kind !== 'alert') return undefined;
  const named = /^\s*(\S+) is already a member of this team/i.exec(outcome.message)?.[1]?.toLowerCase();
  return emails.find((email) => email.toLowerCase() === named);
}

async function inviteBatch(ctx: UxpinContext, emails: string[], role: string): Promise<void> {
  let rest = emails;
  // Each pass either ends or takes one address out, so this stops after emails.length passes.
  while (rest.length > 0) {
    const team = await freshTeam(ctx);
    const batch = rest;
    const outcome = await ctx.step(`invite ${batch.length} users as ${role}`, async () => {
      const shown = await (await team.openAddUsers()).inviteMany(batch, role);
      const refusal = refusalIn(shown);
      // A full plan refuses the whole batch: thrown inside the step so the evidence keeps the message.
      if (refusal?.reason === 'seat_limit') throw refusal;
      return shown;
    });
    const member = alreadyMember(outcome, batch);
    if (member) {
      await changeRole(ctx, { email: member, role, member: true, groups: [] });
      rest = batch.filter((email) => email !== member);
      continue;
    }
    const refusal = refusalIn(outcome);
    if (refusal?.reason === 'user_refused' && batch.length > 1) return inviteOneByOne(ctx, batch, role);
    if (refusal) throw refusal;
    return;
  }
}

/** One refused address blocks the whole batch in UXPin: invite the rest alone, then report the refusal. */
async function inviteOneByOne(ctx: UxpinContext, emails: string[], role: string): Promise<void> {
  let firstError: unknown;
  for (const email of emails) {
    try {
      await invite(ctx, { email, role, member: true, groups: [] });
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError) throw firstError;
}

export function changeRole(ctx: UxpinContext, user: DesiredUser): Promise<ObservedUser> {
  return guard(async () => {
    const role = assignableRole(UXPIN_CATALOG, user.role);
    const { team, row } = await lookUpForWrite(ctx, user.email);
    // Transient: the runner reads the state again and invites instead.
    if (!row) throw new TransientAppError(`${user.email} is not a member of the UXPin team`);
    return setRole(ctx, team, row, role);
  });
}

export function remove(ctx: UxpinContext, user: ObservedUser): Promise<null> {
  return guard(async () => {
    refuseProtected(UXPIN_CATALOG, user.email, user.role);
    const { team, row } = await lookUpForWrite(ctx, user.email);
    if (!row) {
      ctx.log('not a member: nothing to remove', { email: user.email });
      return null;
    }
    refuseProtected(UXPIN_CATALOG, row.email, row.role);
    const outcome = await ctx.step(`remove ${row.email}`, () => team.removeUser(row.email));
    if (await readBack(ctx, row.email, team, outcome)) throw new TransientAppError(`${row.email} is still listed (${describe(outcome)})`);
    return null;
  });
}

/** Every member, walking the pages of the unfiltered list. */
export function listUsers(ctx: UxpinContext): Promise<ObservedUser[]> {
  return guard(async () => {
    const team = await freshTeam(ctx);
    return ctx.step('list members', async () => {
      const seen = new Map<string, ObservedUser>();
      do {
        for (const row of await team.readPage()) seen.set(row.email, observed(row));
      } while (await team.nextPage());
      return [...seen.values()];
    });
  });
}
