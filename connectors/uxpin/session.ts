/** Logging in to UXPin (password, then TOTP when asked) and opening the team screen. */
import type { ConnectorContext } from '../../core/connector.ts';
import { PermanentAppError } from '../../core/errors.ts';
import { totpCode } from '../lib/totp.ts';
import { LoginPage } from './pages/login.page.ts';
import { TeamPage } from './pages/team.page.ts';
import type { UxpinSettings } from './settings.ts';

export type UxpinContext = ConnectorContext<UxpinSettings>;

function appUrl(ctx: UxpinContext, path: string): string {
  return new URL(path, ctx.baseUrl).href;
}

/** Logs in unless the page's session is still live (the runner reuses one context per connection). */
export async function login(ctx: UxpinContext): Promise<void> {
  const { email, password, totpSecret } = ctx.credentials;
  const screen = new LoginPage(await ctx.page(), appUrl(ctx, ctx.settings.loginPath), ctx.settings.actionTimeoutMs);
  let outcome = await ctx.step('log in', async () => {
    if ((await screen.open()) === 'signed-in') return { kind: 'signed-in' } as const;
    return screen.submitPassword(email, password);
  }, { secrets: [password] });
  if (outcome.kind === 'code') {
    if (!totpSecret) {
      throw new PermanentAppError('mfa_required', 'UXPin asks for an authentication code but the connection has no TOTP secret');
    }
    const code = totpCode(totpSecret);
    outcome = await ctx.step('enter authentication code', () => screen.submitCode(code), { secrets: [code, totpSecret] });
  }
  if (outcome.kind === 'refused') throw new PermanentAppError('bad_credentials', `UXPin refused the login: ${outcome.message}`);
  if (outcome.kind !== 'signed-in') throw new PermanentAppError('mfa_required', 'UXPin asked for a second authentication code');
  ctx.log('logged in to UXPin');
}

async function teamPage(ctx: UxpinContext): Promise<TeamPage> {
  ctx.signal.throwIfAborted();
  return new TeamPage(await ctx.page(), appUrl(ctx, ctx.settings.teamPath), ctx.settings.actionTimeoutMs);
}

/** The team screen, freshly loaded; throws SessionExpiredError when UXPin shows its login instead. */
export async function openTeam(ctx: UxpinContext): Promise<TeamPage> {
  const team = await teamPage(ctx);
  await team.open();
  return team;
}

/**
 * The team screen the connection's page already shows (kept open between jobs), when it is still
 * ready to search in; else loaded afresh. A session that ended meanwhile shows up at the search,
 * as SessionExpiredError, like on a fresh load.
 */
export async function currentTeam(ctx: UxpinContext): Promise<TeamPage> {
  const team = await teamPage(ctx);
  if (await team.isOpen()) return team;
  await team.open();
  return team;
}
