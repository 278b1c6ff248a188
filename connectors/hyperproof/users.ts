/**
 * Hyperproof users through the kit: create, profile, deactivation and reactivation over
 * Hyperproof's SCIM (never roles, groups or DELETE: /Groups is 404 and roles over SCIM are
 * unconfirmed), the role set and read back on Settings → People, and a removal that deactivates
 * over SCIM, then deletes permanently on People's Deactivated tab.
 */
import { hybridUserOperations, type BrowserRoles } from '../lib/hybrid/index.ts';
import { appPage } from './app-page.ts';
import { PeoplePage } from './pages/people.page.ts';
import { HYPERPROOF_CATALOG, type HyperproofContext, type HyperproofSettings } from './settings.ts';
import { rotateToken } from './token.ts';

async function people(ctx: HyperproofContext): Promise<PeoplePage> {
  const page = new PeoplePage(await appPage(ctx));
  await page.open();
  return page;
}

const roles: BrowserRoles<HyperproofSettings> = {
  set: (ctx, email, role) => ctx.step(`set ${email}'s role to ${role} on People`, async () => {
    const page = await people(ctx);
    const row = await page.find(email);
    // Choosing the role already selected asks nothing: only a different one goes through Change role?.
    if (row?.role?.toLowerCase() === role.toLowerCase()) return;
    await page.changeRole(email, role);
  }),
  read: (ctx, email) => ctx.step(`read ${email}'s role on People`, async () => (await (await people(ctx)).find(email))?.role ?? null),
  list: (ctx) => ctx.step('read every role on People', async () => (await people(ctx)).listAll()),
};

export const userOperations = hybridUserOperations<HyperproofSettings>({
  name: 'Hyperproof',
  rotate: rotateToken,
  catalog: HYPERPROOF_CATALOG,
  groups: false,
  roles: { browser: roles },
  // The connection's deprovision 'remove' lands here (the runner calls deactivate for 'deactivate').
  browserDelete: (ctx, user) => ctx.step(`delete ${user.email} permanently on People`, async () => (await people(ctx)).deletePermanently(user.email)),
});
