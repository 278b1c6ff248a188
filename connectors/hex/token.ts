/**
 * Hex's part of the kit's token tasks (connectors/lib/hybrid): log in (TOTP when configured),
 * Settings → Authentication → SCIM, Generate token or Regenerate token, the token read from the
 * "Your SCIM token" dialog. The plan and SSO messages end setup as setup_required in Hex's words.
 */
import { PermanentAppError } from '../../core/errors.ts';
import { tokenTasks, type OpenedTokenScreen } from '../lib/hybrid/index.ts';
import { ScimTokenPage } from './pages/scim-token.page.ts';
import { logIn, openSection } from './session.ts';
import { SCIM_PATH, type HexContext, type HexSettings } from './settings.ts';

async function openScimTab(ctx: HexContext): Promise<OpenedTokenScreen> {
  const scim = new ScimTokenPage(await ctx.page());
  return ctx.step('open Settings → Authentication → SCIM', async () => {
    await openSection(ctx, 'Authentication');
    await scim.openScimTab();
    const state = await scim.state();
    if (state.kind === 'blocked') throw new PermanentAppError('setup_required', state.message);
    const hasToken = state.kind === 'token';
    return {
      hasToken,
      issue: async () => {
        const issued = await scim.issue(hasToken, (token) => ctx.addSecret(token));
        return { token: issued.token, createdAt: issued.generated };
      },
      createdAt: async () => {
        const now = await scim.state();
        return now.kind === 'token' ? now.generated : null;
      },
    };
  });
}

/** tasks.setup and tasks.rotate; the SCIM base URL is Hex's fixed path under baseUrl. */
export const { setup: setupToken, rotate: rotateToken } = tokenTasks<HexSettings>({
  name: 'Hex',
  logIn,
  openTokenScreen: openScimTab,
  scimBaseUrl: (ctx) => new URL(SCIM_PATH, ctx.baseUrl).href,
});
