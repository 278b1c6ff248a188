/** A Playwright-runner smoke test of the UXPin sandbox's login screen (`npx playwright test`). */
import { expect, test } from '@playwright/test';
import { startUxpinSandbox, type UxpinSandbox } from '../sandboxes/uxpin/index.ts';

let sandbox: UxpinSandbox;
test.beforeAll(async () => {
  sandbox = await startUxpinSandbox({ seed: 2 });
});
test.afterAll(async () => {
  await sandbox.stop();
});

test('the admin logs in and reaches the team screen', async ({ page }) => {
  await page.goto(`${sandbox.url}/login`);
  await page.getByLabel('Email').fill(sandbox.admin.email);
  await page.getByLabel('Password').fill(sandbox.admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Manage your team' }).click();
  await expect(page.getByRole('columnheader', { name: 'Email' })).toBeVisible();
});
