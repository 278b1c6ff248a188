/**
 * Logging in to Hex and reaching its Settings screens, each inside an evidenced step. The
 * password and the authentication code are masked in that step's screenshots.
 */
import { LoginPage } from './pages/login.page.ts';
import { SettingsNav, type SettingsSection } from './pages/settings-nav.ts';
import { UsersPage } from './pages/users.page.ts';
import type { HexContext } from './settings.ts';

/** operations.login: a live session is kept, else Email / Password and the code when asked. */
export async function logIn(ctx: HexContext): Promise<void> {
  const login = new LoginPage(await ctx.page(), ctx.baseUrl);
  const { password, totpSecret } = ctx.credentials;
  await ctx.step('log in to Hex', async () => {
    if (!(await login.open())) await login.logIn(ctx.credentials, (code) => ctx.addSecret(code));
  }, { secrets: [password, ...(totpSecret ? [totpSecret] : [])] });
}

export async function openSection(ctx: HexContext, section: SettingsSection): Promise<void> {
  await new SettingsNav(await ctx.page(), ctx.baseUrl).open(section);
}

/** Settings → Users with its list loaded; reloaded when the page is already there. */
export async function openUsers(ctx: HexContext): Promise<UsersPage> {
  const users = new UsersPage(await ctx.page());
  if (await users.shown()) await users.reload();
  else {
    await openSection(ctx, 'Users');
    await users.ready();
  }
  return users;
}
