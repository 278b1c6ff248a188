/**
 * The test connector: drives the test app (server.ts) the way a real connector drives a SaaS admin
 * UI, so the runner can be exercised before the real apps land. Tests and the bench use it.
 */
import { z } from 'zod';
import { defineConnector, type ConnectorContext } from '../../core/connector.ts';
import { PermanentAppError } from '../../core/errors.ts';
import { LoginPage } from './pages/login.page.ts';
import { UsersPage } from './pages/users.page.ts';
import { ROLES } from './html.ts';

export const testSettingsSchema = z.object({}).loose();

type Ctx = ConnectorContext<z.infer<typeof testSettingsSchema>>;

async function usersPage(ctx: Ctx): Promise<UsersPage> {
  const users = new UsersPage(await ctx.page());
  await users.open(ctx.baseUrl);
  return users;
}

async function failOnAlert(users: UsersPage): Promise<void> {
  const error = await users.error();
  if (error === 'Seat limit reached') throw new PermanentAppError('seat_limit', 'The app has no free seat.');
  if (error) throw new PermanentAppError('user_refused', `The app refused the change: ${error}`);
}

export const testConnector = defineConnector({
  id: 'test-app',
  name: 'Test App',
  capabilities: {
    invite: true, changeRole: true, remove: true, deactivate: false, listUsers: true,
    groups: false, bulkInvite: false, roles: ROLES, protectedRoles: ['Owner'],
  },
  settings: testSettingsSchema,
  operations: {
    async login(ctx) {
      await ctx.step('sign in', async () => {
        const login = new LoginPage(await ctx.page());
        await login.open(ctx.baseUrl);
        if (!(await login.signIn(ctx.credentials.email, ctx.credentials.password))) {
          throw new PermanentAppError('bad_credentials', 'The app refused the admin email or password.');
        }
        // The token is a secret: register it before the step's closing screenshot.
        const token = await new UsersPage(login.page).apiToken();
        ctx.addSecret(token);
        await ctx.vault.set('apiToken', token);
      });
    },
    findUser: (ctx, email) => ctx.step('find user', async () => (await usersPage(ctx)).find(email)),
    invite: (ctx, user) => ctx.step('invite', async () => {
      const users = await usersPage(ctx);
      await users.invite(user.email, user.role);
      await failOnAlert(users);
    }),
    changeRole: (ctx, user) => ctx.step('change role', async () => {
      const users = await usersPage(ctx);
      await users.changeRole(user.email, user.role);
      await failOnAlert(users);
    }),
    remove: (ctx, user) => ctx.step('remove', async () => (await usersPage(ctx)).remove(user.email)),
    listUsers: (ctx) => ctx.step('list users', async () => (await usersPage(ctx)).list()),
  },
});
