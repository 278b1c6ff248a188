/** The presentation presets: together they cover every knob value, and each draws the documented words and roles. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../runner/browser/chromium.ts';
import type { HexPresentation } from './knobs.ts';
import { startHexSandbox } from './server.ts';
import { HEX_VARIANTS, PRESENTATION_VALUES } from './variants.ts';
import { words } from './presentation.ts';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

test('the presets use every value of every presentation knob', () => {
  for (const [knob, values] of Object.entries(PRESENTATION_VALUES)) {
    for (const value of values) {
      const users = HEX_VARIANTS.filter((v) => (v.presentation as unknown as Record<string, unknown>)[knob] === value);
      assert.ok(users.length > 0, `no preset uses ${knob} = ${String(value)}`);
    }
  }
  assert.ok(HEX_VARIANTS.length >= 3 && HEX_VARIANTS.length <= 5);
});

async function openSettings(page: Page, presentation: HexPresentation): Promise<void> {
  if (presentation.settingsEntry === 'menu') {
    await page.getByRole('button', { name: 'Acme workspace' }).click();
    await page.getByRole('menuitem', { name: 'Settings', exact: true }).click();
  } else await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const nav = page.getByRole('navigation', { name: 'Settings' });
  for (const name of ['Users', 'Groups', 'Authentication']) await nav.getByRole('link', { name, exact: true }).waitFor();
}

async function chooseRole(page: Page, presentation: HexPresentation, email: string, role: string): Promise<void> {
  const control = page.getByRole('combobox', { name: `Role for ${email}`, exact: true });
  if (presentation.roleControl === 'select') await control.selectOption(role);
  else {
    await control.click();
    await page.getByRole('listbox').getByRole('option', { name: role, exact: true }).click();
  }
}

for (const { name, presentation } of HEX_VARIANTS) {
  test(`preset ${name}: login, Settings → Users with roles and seat confirmation, search's empty state, SCIM token dialog`, async (t) => {
    const sandbox = await startHexSandbox({ presentation, seedUsers: [{ email: 'vic@example.com', name: 'Vic Viewer', source: 'scim' }] });
    const context = await browser.newContext();
    t.after(async () => {
      await context.close();
      await sandbox.stop();
    });
    const page = await context.newPage();
    await page.goto(`${sandbox.url}/home`);
    await page.getByLabel(presentation.loginLabel, { exact: true }).fill('admin@example.com');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.getByRole('button', { name: presentation.loginButton, exact: true }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();

    await openSettings(page, presentation);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users', exact: true }).click();
    const list = page.getByRole(presentation.usersView === 'grid' ? 'grid' : 'table', { name: 'Users' });
    for (const header of ['Name', 'Email', 'Role', 'Status']) await list.getByRole('columnheader', { name: header, exact: true }).waitFor();
    const vic = list.getByRole('row').filter({ hasText: 'vic@example.com' });
    await vic.getByText('Directory sync').waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Role for admin@example.com' }).getAttribute('aria-disabled'), 'true', 'own row locked');
    await page.getByRole('button', { name: 'More actions for vic@example.com' }).waitFor();
    await page.getByRole('button', { name: '+ User' }).waitFor();

    await chooseRole(page, presentation, 'vic@example.com', 'Editor');
    const confirm = page.getByRole(presentation.confirmDialog, { name: 'Change role to Editor?' });
    await confirm.getByText('vic@example.com will use a paid seat.').waitFor();
    await confirm.getByRole('button', { name: presentation.confirmDialog === 'alertdialog' ? 'Confirm' : 'Change role' }).click();
    const saved = presentation.roleSaved === 'Role changed' ? 'Role changed to Editor' : presentation.roleSaved;
    await page.getByRole('status').filter({ hasText: saved }).waitFor();
    await page.reload();
    const control = page.getByRole('combobox', { name: 'Role for vic@example.com' });
    await control.waitFor();
    const shown = presentation.roleControl === 'select' ? await control.inputValue() : (await control.innerText()).trim();
    assert.equal(shown, 'Editor');
    assert.deepEqual(sandbox.snapshot().roleChanges.map((c) => [c.to, c.seatConfirmed]), [['Editor', true]]);

    await page.getByLabel('Search users').fill('nobody-here');
    await list.getByRole('row').filter({ hasText: 'vic@example.com' }).waitFor({ state: 'detached' });
    const empty = page.getByText('No users match “nobody-here”');
    assert.equal(await empty.count(), presentation.emptyState === 'none' ? 0 : 1, 'the empty state as set');

    await openSettings(page, presentation);
    await page.getByRole('link', { name: 'Authentication', exact: true }).click();
    const scimEntry = presentation.authTabs === 'tabs' ? page.getByRole('tab', { name: 'SCIM' }) : page.getByRole('navigation', { name: 'Authentication' }).getByRole('link', { name: 'SCIM' });
    await scimEntry.click();
    assert.match(await page.getByRole('textbox', { name: 'SCIM base URL' }).inputValue(), /\/api\/v1\/scim\/v2$/);
    await page.getByRole('button', { name: words({ presentation }).generate, exact: true }).click();
    const dialog = page.getByRole(presentation.confirmDialog, { name: 'Your SCIM token' });
    const token = await dialog.getByRole('textbox', { name: 'SCIM token' }).inputValue();
    assert.equal((await fetch(`${sandbox.scimBaseUrl}/Users`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    await dialog.getByRole('button', { name: words({ presentation }).done }).click();
    await page.getByText(/^Token generated .+ by admin@example\.com$/).waitFor();
  });
}
