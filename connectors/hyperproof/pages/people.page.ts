/**
 * Settings → People (hyperproof.md): tabs Active and Deactivated, lists Active users (role as a
 * select named `Role for <email>`) and Deactivated users, the Change role? confirmation and the
 * permanent delete (Delete <email> → Delete user permanently? → type the email → Delete
 * permanently). Tabs may be links or in-page panels, lists tables or grids; a row is found by its
 * email cell, columns by their headers. After every action the list is read again, fresh.
 */
import type { Locator, Page } from 'playwright-core';
import { PermanentAppError, ScreenMismatchError } from '../../../core/errors.ts';
import { cellsOf, columnIndexes, dataRows } from '../../lib/screen/list.ts';
import { pollUntil } from '../../lib/screen/poll.ts';
import { confirmIn, dialogNamed, named, onScreen, openSettings, SCREEN_TIMEOUT_MS, waitFor } from './screen.ts';

const SCREEN = 'Hyperproof Settings → People';

export type PeopleTab = 'Active' | 'Deactivated';

export interface PersonRow {
  email: string;
  /** Active, Invited, Contact or Deactivated, as the Status column (or the tab) says. */
  status: string;
  role: string | null;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (text: string) => new RegExp(`^\\s*${escape(text)}\\s*$`, 'i');

export class PeoplePage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await openSettings(this.page, 'People');
  }

  private list(tab: PeopleTab): Locator {
    const name = named(`${tab} users`);
    return this.page.getByRole('table', { name }).or(this.page.getByRole('grid', { name })).first();
  }

  /** Selects the tab (a link to another page or an in-page panel) and waits for its list. */
  async tab(tab: PeopleTab): Promise<Locator> {
    const selected = this.page.getByRole('tab', { name: named(tab), selected: true });
    if (!(await selected.isVisible())) {
      const control = this.page.getByRole('tab', { name: named(tab) }).first();
      await waitFor(this.page, SCREEN, `no ${tab} tab`, control);
      await control.click();
    }
    const list = this.list(tab);
    await waitFor(this.page, SCREEN, `no ${tab} users list`, list);
    return list;
  }

  private row(list: Locator, email: string): Locator {
    return dataRows(list, this.page).filter({ has: cellsOf(this.page, exactly(email)) }).first();
  }

  private roleSelect(email: string): Locator {
    return this.page.getByRole('combobox', { name: new RegExp(`^\\s*role for ${escape(email)}\\s*$`, 'i') }).first();
  }

  /** The user's row on the Active tab, else the Deactivated tab, else null (a fresh read). */
  async find(email: string): Promise<PersonRow | null> {
    const active = await this.tab('Active');
    if ((await this.row(active, email).count()) > 0) {
      const { found } = await columnIndexes(active, { status: /^\s*status\s*$/i });
      const status = found.status === undefined ? 'Active' : (await cellsOf(this.row(active, email)).nth(found.status).innerText()).trim();
      return { email, status, role: await this.selectedRole(email) };
    }
    const deactivated = await this.tab('Deactivated');
    const row = this.row(deactivated, email);
    if ((await row.count()) === 0) return null;
    const { found } = await columnIndexes(deactivated, { role: /^\s*role\s*$/i });
    const role = found.role === undefined ? null : (await cellsOf(row).nth(found.role).innerText()).trim() || null;
    return { email, status: 'Deactivated', role };
  }

  /** Every listed person's role by lower-cased email, both tabs (one walk). */
  async listAll(): Promise<Map<string, string>> {
    const roles = new Map<string, string>();
    for (const tab of ['Active', 'Deactivated'] as const) {
      const list = await this.tab(tab);
      const { found, missing } = await columnIndexes(list, { email: /e-?mail/i, role: /^\s*role\s*$/i });
      if (missing.length > 0) throw new ScreenMismatchError(SCREEN, `no ${missing.join(' or ')} column in ${tab} users`);
      for (const row of await dataRows(list, this.page).all()) {
        const cells = cellsOf(row);
        // An empty list's "No … users" row has one cell: it is no person.
        if ((await cells.count()) <= Math.max(found.email!, found.role!)) continue;
        const email = (await cells.nth(found.email!).innerText()).trim().toLowerCase();
        if (!email.includes('@')) continue;
        const select = row.getByRole('combobox');
        const role = (await select.count()) > 0
          ? await select.first().evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.text.trim() ?? '')
          : (await cells.nth(found.role!).innerText()).trim();
        if (role) roles.set(email, role);
      }
    }
    return roles;
  }

  private async selectedRole(email: string): Promise<string | null> {
    const select = this.roleSelect(email);
    if ((await select.count()) === 0) return null;
    return select.evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.text.trim() ?? null);
  }

  /** Role for <email> → `role` → Change role? → Change role; returns the role the reloaded list shows. */
  async changeRole(email: string, role: string): Promise<string | null> {
    await this.tab('Active');
    const select = this.roleSelect(email);
    await waitFor(this.page, SCREEN, `no role select for ${email}`, select);
    await select.selectOption({ label: role }, { timeout: SCREEN_TIMEOUT_MS });
    const dialog = dialogNamed(this.page, /change role/i);
    await waitFor(this.page, SCREEN, 'no Change role? confirmation', dialog);
    await confirmIn(this.page, SCREEN, dialog, dialog.getByRole('button', { name: named('change role|confirm|yes') }).first());
    await this.reload();
    return (await this.find(email))?.role ?? null;
  }

  /**
   * Deactivated → Delete <email> → type the email → Delete permanently, then verified gone from
   * both tabs. No Delete offered for a deactivated user: a permanent, readable error.
   */
  async deletePermanently(email: string): Promise<void> {
    const list = await this.tab('Deactivated');
    const row = this.row(list, email);
    if ((await row.count()) === 0) {
      if ((await this.find(email)) === null) return;
      throw new ScreenMismatchError(SCREEN, `${email} is not on the Deactivated tab`);
    }
    const button = this.page.getByRole('button', { name: new RegExp(`^\\s*delete\\s+${escape(email)}\\s*$`, 'i') }).first();
    if ((await button.count()) === 0) {
      throw new PermanentAppError('unsupported', `Hyperproof offers no Delete for deactivated users: ${email} stays deactivated (delete them by hand or ask Hyperproof Support)`);
    }
    await button.click({ timeout: SCREEN_TIMEOUT_MS });
    const dialog = dialogNamed(this.page, /delete user permanently/i);
    await waitFor(this.page, SCREEN, 'no Delete user permanently? confirmation', dialog);
    await dialog.getByRole('textbox', { name: /type the email|email address/i }).first().fill(email);
    const confirm = dialog.getByRole('button', { name: /^\s*delete permanently\s*$/i }).first();
    // The button is enabled on a match, possibly a moment after typing (a debounced check).
    const enabled = await pollUntil(async () => ((await confirm.isEnabled()) ? true : undefined), SCREEN_TIMEOUT_MS);
    if (!enabled) throw new ScreenMismatchError(SCREEN, 'Delete permanently stayed disabled after typing the email');
    await confirmIn(this.page, SCREEN, dialog, confirm);
    await this.reload();
    if ((await this.find(email)) !== null) throw new ScreenMismatchError(SCREEN, `${email} is still listed after Delete permanently`);
  }

  async reload(): Promise<void> {
    await this.page.reload({ timeout: SCREEN_TIMEOUT_MS });
    await onScreen(this.page, SCREEN, 'no People tabs after reloading', async () =>
      ((await this.page.getByRole('tab').first().isVisible()) ? true : undefined));
  }
}
