/**
 * Spekit's part of the kit's token tasks (connectors/lib/hybrid): log in, then Settings →
 * Connect → SCIM provisioning, which shows the Endpoint URL and Generate / Regenerate token.
 * Spekit shows a token once; a Regenerate that errors may still have replaced it (spekit.md),
 * which the kit tells from the "Token created <date>" the step shows.
 */
import { PermanentAppError } from '../../core/errors.ts';
import { tokenTasks, type OpenedTokenScreen } from '../lib/hybrid/index.ts';
import { ConnectPage } from './pages/connect.page.ts';
import { LoginPage } from './pages/login.page.ts';
import { ScimProvisioningPage } from './pages/scim-provisioning.page.ts';
import type { SpekitContext, SpekitSettings } from './settings.ts';

export async function logIn(ctx: SpekitContext): Promise<void> {
  const login = new LoginPage(await ctx.page(), ctx.baseUrl);
  await ctx.step('log in to Spekit', async () => {
    if (!(await login.open())) await login.logIn(ctx.credentials);
  });
}

/** Read inside steps so a screen that differs leaves its screenshot; no SSO is setup_required. */
async function openScimStep(ctx: SpekitContext): Promise<OpenedTokenScreen> {
  const page = await ctx.page();
  const connect = new ConnectPage(page);
  await ctx.step('open Settings → Connect and check SSO', async () => {
    await connect.open();
    const sso = await connect.ssoState();
    if (!sso.connected) throw new PermanentAppError('setup_required', sso.message);
  });
  const scim = new ScimProvisioningPage(page);
  return ctx.step('open SCIM provisioning', async () => {
    await connect.openScim();
    const state = await scim.state();
    if (state.kind === 'sso-missing') throw new PermanentAppError('setup_required', state.message);
    const hasToken = state.kind === 'token';
    return {
      hasToken,
      endpointUrl: await scim.endpointUrl(),
      issue: () => (hasToken ? scim.regenerate() : scim.generate()),
      createdAt: () => scim.tokenCreatedAt(),
    };
  });
}

/** tasks.setup and tasks.rotate. */
export const { setup: setupToken, rotate: rotateToken } = tokenTasks<SpekitSettings>({
  name: 'Spekit',
  logIn,
  openTokenScreen: openScimStep,
});
