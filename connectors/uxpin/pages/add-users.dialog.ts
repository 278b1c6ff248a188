/** The "Add new users" dialog: one email, or several through "add multiple users at once". */
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
    this.dialog = page.getByRole('dialog', { name: 'Add new users' });
    this.email = this.dialog.getByLabel('Email', { exact: true });
    this.emails = this.dialog.getByLabel('Emails', { exact: true });
    this.role = this.dialog.getByLabel('Role', { exact: true });
    this.add = this.dialog.getByRole('button', { name: 'Add', exact: true });
    this.multiple = this.dialog.getByRole('link', { name: 'add multiple users at once' });
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
