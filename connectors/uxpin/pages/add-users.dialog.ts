/**
 * The "Add new users" dialog: one email, or several through "add multiple users at once". Fields
 * are found by role and a pattern over the documented words; role options by their label, whatever
 * value the app gives them.
 */
import type { Locator, Page } from 'playwright-core';
import { dialogOutcome, type ActionOutcome } from '../support.ts';

export class AddUsersDialog {
  private readonly dialog: Locator;
  private readonly email: Locator;
  private readonly emails: Locator;
  private readonly role: Locator;
  private readonly add: Locator;
  private readonly multiple: Locator;

  constructor(page: Page, private readonly timeoutMs: number) {
    this.dialog = page.getByRole('dialog', { name: /add (new )?(users|members)|invite/i }).first();
    // One address field shows at a time ("Email", or "Emails" after "add multiple users at once").
    this.email = this.dialog.getByRole('textbox', { name: /e-?mail(?!s)/i }).filter({ visible: true }).first();
    this.emails = this.dialog.getByRole('textbox', { name: /e-?mails|addresses/i }).filter({ visible: true }).first();
    this.role = this.dialog.getByRole('combobox', { name: /role/i }).first();
    this.add = this.dialog.getByRole('button', { name: /^\s*(add|invite|send( invitations?)?)\s*$/i }).first();
    const multiple = /multiple (users|members)|several/i;
    this.multiple = this.dialog.getByRole('link', { name: multiple }).or(this.dialog.getByRole('button', { name: multiple })).first();
  }

  async waitOpen(): Promise<void> {
    await this.dialog.waitFor({ state: 'visible', timeout: this.timeoutMs });
  }

  async inviteOne(email: string, role: string): Promise<ActionOutcome> {
    await this.email.fill(email);
    await this.role.selectOption({ label: role });
    await this.add.click();
    return dialogOutcome(this.dialog, this.timeoutMs);
  }

  /** The Role chosen applies to every address in the batch. */
  async inviteMany(emails: readonly string[], role: string): Promise<ActionOutcome> {
    await this.multiple.click();
    await this.emails.fill(emails.join('\n'));
    await this.role.selectOption({ label: role });
    await this.add.click();
    return dialogOutcome(this.dialog, this.timeoutMs);
  }
}
