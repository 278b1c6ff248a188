/** The confirmation UXPin asks before removing someone: "Remove <email> from the team?". */
import type { Locator, Page } from 'playwright-core';
import { dialogOutcome, escapeRegExp, type ActionOutcome } from '../support.ts';

export class RemoveUserDialog {
  private readonly dialog: Locator;
  private readonly remove: Locator;

  constructor(page: Page, email: string, private readonly timeoutMs: number) {
    this.dialog = page.getByRole('dialog', { name: new RegExp(`^Remove ${escapeRegExp(email)} from the team\\?$`, 'i') });
    this.remove = this.dialog.getByRole('button', { name: 'Remove', exact: true });
  }

  async confirm(): Promise<ActionOutcome> {
    await this.remove.click({ timeout: this.timeoutMs });
    return dialogOutcome(this.dialog, this.timeoutMs);
  }
}
