/** The presentation presets: together they cover every knob value, and each draws the documented words. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../runner/browser/chromium.ts';
import { startSpekitSandbox } from './server.ts';
import { PRESENTATION_VALUES, SPEKIT_VARIANTS } from './variants.ts';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

test('the presets use every value of every presentation knob', () => {
  for (const [knob, values] of Object.entries(PRESENTATION_VALUES)) {
    for (const value of values) {
      const users = SPEKIT_VARIANTS.filter((v) => (v.presentation as unknown as Record<string, unknown>)[knob] === value);
      assert.ok(users.length > 0, `no preset uses ${knob} = ${String(value)}`);
    }
  }
  assert.ok(SPEKIT_VARIANTS.length >= 3 && SPEKIT_VARIANTS.length <= 5);
});

for (const { name, presentation } of SPEKIT_VARIANTS) {
  test(`preset ${name}: login lands as set, Manage Users lists by role, an empty list is drawn as set`, async (t) => {
    const sandbox = await startSpekitSandbox({ presentation, handUsers: [{ userName: 'hand@example.com', status: 'Active' }] });
    const context = await browser.newContext();
    t.after(async () => {
      await context.close();
      await sandbox.stop();
    });
    const page = await context.newPage();
    await page.goto(`${sandbox.url}/settings/teams-users`);
    await page.getByLabel(presentation.loginLabel, { exact: true }).fill('admin@example.com');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.getByRole('button', { name: presentation.loginButton, exact: true }).click();
    const landed = presentation.landing === 'requested' ? 'Manage Teams & Users' : 'Welcome to Spekit';
    await page.getByRole('heading', { name: landed, exact: true }).waitFor();
    if (presentation.toast) await page.getByRole('alert').filter({ hasText: 'Welcome back!' }).waitFor();
    await page.goto(`${sandbox.url}/settings/teams-users`);
    const users = page.getByRole(presentation.usersView === 'grid' ? 'grid' : 'table', { name: 'Manage Users' });
    await users.getByRole('row').filter({ hasText: 'hand@example.com' }).waitFor();
    const pending = page.getByText('No pending invitations');
    assert.equal(await pending.count(), presentation.emptyState === 'none' ? 0 : 1, 'the empty state of pending invitations');
  });
}
