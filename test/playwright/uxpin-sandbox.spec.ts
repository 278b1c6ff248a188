/** A Playwright-runner smoke test of the UXPin sandbox's login screen, on every presentation variant. */
import { expect, test } from '@playwright/test';
import { startUxpinSandbox, VARIANT_NAMES } from '../sandboxes/uxpin/index.ts';

for (const variant of VARIANT_NAMES) {
  test(`the admin logs in and reaches the team screen (variant ${variant})`, async ({ page }) => {
    const sandbox = await startUxpinSandbox({ seed: 2, variant });
    try {
      await page.goto(`${sandbox.url}/login`);
      // Every variant's label mentions email ("Email", "Email address", "Email or username", …).
      await page.getByRole('textbox', { name: /e-?mail/i }).fill(sandbox.admin.email);
      await page.getByLabel('Password').fill(sandbox.admin.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('link', { name: 'Manage your team' }).click();
      await expect(page.getByRole('columnheader', { name: 'Email' })).toBeVisible();
    } finally {
      await sandbox.stop();
    }
  });
}
