/**
 * Hex's read-only canary check: after the runner's login, Settings → Users lists users, the SCIM
 * tab shows its state, and Hex's SCIM API lists users with the stored token. Nothing is generated
 * or changed: a refused token is reported, never rotated here.
 */
import type { CheckReport } from '../../core/connector.ts';
import { expectScreen } from '../lib/screen/settle.ts';
import { vaultUpstream, VAULT } from '../lib/hybrid/index.ts';
import { UpstreamUnauthorizedError } from '../lib/scim-upstream/index.ts';
import { ScimTokenPage } from './pages/scim-token.page.ts';
import { openSection, openUsers } from './session.ts';
import type { HexContext } from './settings.ts';

const USERS = 'Hex Settings → Users';
const SCIM = 'Hex Settings → Authentication → SCIM';

const expect = expectScreen;

export async function check(ctx: HexContext): Promise<CheckReport> {
  const observations: string[] = [];
  const listed = await ctx.step('check: open Settings → Users', () => expect(USERS, 'the user list did not show', async () => {
    const users = await openUsers(ctx);
    return (await users.readPage()).length;
  }));
  observations.push(`${USERS}: ${listed} user(s) on the first page`);
  const state = await ctx.step('check: read the SCIM tab', () => expect(SCIM, 'the SCIM tab or its token state did not show', async () => {
    await openSection(ctx, 'Authentication');
    const scim = new ScimTokenPage(await ctx.page());
    await scim.openScimTab();
    return scim.state();
  }));
  if (state.kind === 'blocked') {
    observations.push(`${SCIM}: not offered ("${state.message}")`);
    return { observations };
  }
  observations.push(`${SCIM}: ${state.kind === 'token' ? `a token exists (${state.generated ?? 'no date shown'})` : 'no token generated yet'}`);
  if (!(await ctx.vault.get(VAULT.appToken))) {
    observations.push('Hex SCIM API: no stored token; not called');
    return { observations };
  }
  try {
    const users = await (await vaultUpstream(ctx, { name: 'Hex' })).listUsers();
    observations.push(`Hex SCIM API: the stored token lists ${users.length} user(s)`);
  } catch (error) {
    if (error instanceof UpstreamUnauthorizedError) throw new Error('Hex SCIM API refused the stored token (401); run rotate-app-token');
    throw error;
  }
  return { observations };
}
