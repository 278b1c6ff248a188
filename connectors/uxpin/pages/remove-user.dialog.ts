/** The confirmation UXPin asks before removing someone: "Remove <email> from the team?". */
import type { Locator, Page } from 'playwright-core';
import { dialogOutcome, escapeRegExp, type ActionOutcome } from '../support.ts';

export class RemoveUserDialog {
  private readonly dialog: Locator;
  private readonly remove: Locator;

  constructor(page: Page, email: string, private readonly timeoutMs: number) {
    this.dialog = page.getByRole('dialog', { name: new RegExp(`remove\\s+${escapeRegExp(email)}\\b`, 'i') });
    this.remove = this.dialog.getByRole('button', { name: /^\s*remove( user| from team)?\s*$/i }).first();
  }

  async confirm(): Promise<ActionOutcome> {
    await this.remove.click({ timeout: this.timeoutMs });
    return dialogOutcome(this.dialog, this.timeoutMs);
  }
}
