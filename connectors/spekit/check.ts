/**
 * Spekit's read-only canary check (issue 10, point 4): after the runner's login, Settings →
 * Connect and the SCIM step's state are read, then Spekit's SCIM API lists users with the stored
 * token. Nothing is generated or regenerated: a refused token is reported, never rotated here.
 */
import type { CheckReport } from '../../core/connector.ts';
import { expectScreen } from '../lib/screen/settle.ts';
import { vaultUpstream } from '../lib/hybrid/index.ts';
import { UpstreamUnauthorizedError } from '../lib/scim-upstream/index.ts';
import { ConnectPage } from './pages/connect.page.ts';
import { ScimProvisioningPage } from './pages/scim-provisioning.page.ts';
import { VAULT, type SpekitContext } from './settings.ts';

const CONNECT = 'Spekit Settings → Connect';
const SCIM = 'Spekit SCIM provisioning step';

const expect = expectScreen;

export async function check(ctx: SpekitContext): Promise<CheckReport> {
  const observations: string[] = [];
  const page = await ctx.page();
  const connect = new ConnectPage(page);
  const sso = await ctx.step('check: open Settings → Connect', () => expect(CONNECT, 'the Connect page or its SSO state did not show', async () => {
    await connect.open();
    return connect.ssoState();
  }));
  if (!sso.connected) {
    observations.push(`${CONNECT}: SSO is not connected ("${sso.message}"); the SCIM step is not offered`);
    return { observations };
  }
  observations.push(`${CONNECT}: SSO connected, SCIM provisioning offered`);
  const state = await ctx.step('check: read the SCIM step', () => expect(SCIM, 'the SCIM step, its Endpoint URL or its token state did not show', async () => {
    await connect.openScim();
    const scim = new ScimProvisioningPage(page);
    const endpoint = await scim.endpointUrl();
    return { endpoint: endpoint.length > 0, token: await scim.hasToken(), created: await scim.tokenCreatedAt() };
  }));
  observations.push(`${SCIM}: ${state.endpoint ? 'Endpoint URL shown' : 'no Endpoint URL'}; ${state.token ? `a token exists (created ${state.created ?? 'at an unknown date'})` : 'no token generated yet'}`);
  if (!(await ctx.vault.get(VAULT.appToken))) {
    observations.push('Spekit SCIM API: no stored token; not called');
    return { observations };
  }
  try {
    const users = await (await vaultUpstream(ctx, { name: 'Spekit' })).listUsers();
    observations.push(`Spekit SCIM API: the stored token lists ${users.length} user(s)`);
  } catch (error) {
    if (error instanceof UpstreamUnauthorizedError) throw new Error('Spekit SCIM API refused the stored token (401); run rotate-app-token');
    throw error;
  }
  return { observations };
}
