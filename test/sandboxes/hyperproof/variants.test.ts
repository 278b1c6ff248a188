/**
 * The presentation presets: together they cover every knob value, and in real Chromium each one
 * draws the documented words and its page script works (sign-in, Provisioning, People dialogs).
 * The walk knows the preset it drives; the connector's page objects must not (connectors/hyperproof).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../../../runner/browser/chromium.ts';
import { MESSAGES } from './html.ts';
import { startHyperproofSandbox } from './server.ts';
import { HYPERPROOF_VARIANTS, PRESENTATION_VALUES } from './variants.ts';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

test('the presets use every value of every presentation knob', () => {
  for (const [knob, values] of Object.entries(PRESENTATION_VALUES)) {
    for (const value of values) {
      const users = HYPERPROOF_VARIANTS.filter((v) => (v.presentation as unknown as Record<string, unknown>)[knob] === value);
      assert.ok(users.length > 0, `no preset uses ${knob} = ${String(value)}`);
    }
  }
  assert.ok(HYPERPROOF_VARIANTS.length >= 3);
});

const dialog = (page: Page, name: string): Locator => page.getByRole('dialog', { name }).or(page.getByRole('alertdialog', { name }));

async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await page.getByRole('tab', { name, selected: true }).waitFor();
}

for (const { name, presentation } of HYPERPROOF_VARIANTS) {
  test(`preset ${name}: two-step sign-in, Provisioning on with its token, role change and permanent delete`, async (t) => {
    const sandbox = await startHyperproofSandbox({ presentation, people: [{ email: 'bo@example.com', givenName: 'Bo', familyName: 'Ray', status: 'Deactivated' }] });
    const context = await browser.newContext();
    t.after(async () => {
      await context.close();
      await sandbox.stop();
    });
    const page = await context.newPage();
    await page.goto(`${sandbox.url}/settings/authentication`);
    await page.getByLabel('Email address', { exact: true }).fill('admin@example.com');
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByText('Signing in as admin@example.com').waitFor();
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: presentation.landing === 'requested' ? 'Authentication' : 'Overview', exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Authentication' }).click();

    await page.getByText(MESSAGES.ssoOn).waitFor();
    const toggle = page.getByRole(presentation.switchMarkup === 'switch' ? 'switch' : 'checkbox', { name: 'Provisioning' });
    await toggle.click();
    const provisioning = dialog(page, 'Provisioning');
    const token = await provisioning.getByLabel('Bearer Token').inputValue();
    assert.equal(await provisioning.getByLabel('SCIM Endpoint URL').inputValue(), sandbox.endpointUrl);
    assert.equal(sandbox.state.tokens.length, 0, 'not live before Save');
    await provisioning.getByRole('button', { name: 'Save' }).click();
    const tokens = page.getByRole(presentation.lists === 'grid' ? 'grid' : 'table', { name: 'Tokens' });
    await tokens.getByRole('row').filter({ hasText: `•••• ${token.slice(-4)}` }).waitFor();
    assert.equal(sandbox.state.liveToken(token)?.last4, token.slice(-4));
    if (presentation.lingeringToast) {
      await page.reload();
      await page.getByRole('status').filter({ hasText: 'Provisioning turned on' }).waitFor();
    }

    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'People' }).click();
    await page.getByLabel('Role for admin@example.com').waitFor();
    assert.equal(await page.getByLabel('Role for admin@example.com').isDisabled(), true, 'own row disabled');
    await openTab(page, 'Deactivated');
    await page.getByRole('button', { name: 'Reactivate bo@example.com' }).click();
    await dialog(page, 'Reactivate Bo Ray?').getByRole('button', { name: presentation.wording === 'plain' ? 'Reactivate' : 'Confirm' }).click();
    await page.getByRole('status').filter({ hasText: 'User reactivated' }).waitFor();
    await openTab(page, 'Active');
    await page.getByLabel('Role for bo@example.com').selectOption({ label: 'Compliance manager' });
    const change = dialog(page, 'Change role?');
    await change.getByText("Change Bo Ray's role to Compliance manager?").waitFor();
    await change.getByRole('button', { name: 'Change role' }).click();
    await page.getByRole('status').filter({ hasText: 'Role updated' }).waitFor();
    assert.equal(sandbox.state.byEmail('bo@example.com')?.role, 'Compliance manager');

    await page.getByRole('button', { name: 'Deactivate bo@example.com' }).click();
    await dialog(page, 'Deactivate').getByRole('button', { name: 'Deactivate' }).click();
    await page.getByRole('status').filter({ hasText: 'User deactivated' }).waitFor();
    await openTab(page, 'Deactivated');
    await page.getByRole('button', { name: 'Delete bo@example.com' }).click();
    const confirm = dialog(page, 'Delete user permanently?');
    await confirm.getByLabel('Type the email address to confirm').fill('bo@example.com');
    await confirm.getByRole('button', { name: 'Delete permanently' }).click();
    await page.getByRole('status').filter({ hasText: 'User deleted' }).waitFor();
    assert.equal(sandbox.state.byEmail('bo@example.com'), undefined);
    await openTab(page, 'Deactivated');
    const empty = page.getByText(presentation.wording === 'plain' ? 'No deactivated users' : 'Nobody has been deactivated');
    if (presentation.emptyState !== 'none') await empty.waitFor();
    else assert.equal(await empty.count(), 0);
  });
}
