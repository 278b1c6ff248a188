/**
 * Hyperproof's read-only canary check: after the runner's sign-in, Settings → Authentication
 * (SSO and provisioning state, how many tokens), Settings → People (both lists), then one SCIM
 * call with the stored token. Nothing is switched, made or deleted; a refused token is reported.
 */
import type { CheckReport } from '../../core/connector.ts';
import { vaultUpstream, VAULT } from '../lib/hybrid/index.ts';
import { UpstreamUnauthorizedError } from '../lib/scim-upstream/index.ts';
import { appPage } from './app-page.ts';
import { AuthenticationPage } from './pages/authentication.page.ts';
import { PeoplePage } from './pages/people.page.ts';
import type { HyperproofContext } from './settings.ts';

export async function check(ctx: HyperproofContext): Promise<CheckReport> {
  const observations: string[] = [];
  const page = await appPage(ctx);
  const auth = new AuthenticationPage(page);
  const state = await ctx.step('check: open Settings → Authentication', async () => {
    await auth.open();
    return auth.state();
  });
  if (state.kind === 'sso-missing') observations.push(`Settings → Authentication: ${state.message}; Provisioning cannot be turned on`);
  else if (state.kind === 'off') observations.push('Settings → Authentication: SSO works; Provisioning is off');
  else observations.push(`Settings → Authentication: Provisioning is on with ${(await auth.tokens()).length} token(s)`);
  const roles = await ctx.step('check: read Settings → People', async () => {
    const people = new PeoplePage(page);
    await people.open();
    return people.listAll();
  });
  observations.push(`Settings → People: ${roles.size} person(s) listed with a role`);
  if (!(await ctx.vault.get(VAULT.appToken))) {
    observations.push('Hyperproof SCIM API: no stored token; not called');
    return { observations };
  }
  try {
    await (await vaultUpstream(ctx, { name: 'Hyperproof' })).probe();
    observations.push('Hyperproof SCIM API: the stored token is accepted');
  } catch (error) {
    if (error instanceof UpstreamUnauthorizedError) throw new Error('Hyperproof SCIM API refused the stored token (401); run rotate-app-token');
    throw error;
  }
  return { observations };
}
