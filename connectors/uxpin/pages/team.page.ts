/**
 * UXPin's team screen, User Management tab: search, the paged member table, per-row role select
 * and three-dot menu. Columns are found by their header text, never by position in the markup.
 */
import type { Locator, Page } from 'playwright-core';
import { SessionExpiredError, TransientAppError } from '../../../core/errors.ts';
import { pollUntil, visibleAlert, wholeText, type ActionOutcome } from '../support.ts';
import { AddUsersDialog } from './add-users.dialog.ts';
import { RemoveUserDialog } from './remove-user.dialog.ts';

export interface TeamRow {
  email: string;
  name: string;
  role: string | null;
  status: 'active' | 'pending';
}

type Columns = Record<'name' | 'email' | 'role' | 'status', number>;

export class TeamPage {
  private readonly searchBox: Locator;
  private readonly table: Locator;
  private readonly rows: Locator;
  private readonly headers: Locator;
  private readonly next: Locator;
  private readonly addUsers: Locator;
  private readonly loginButton: Locator;
  private readonly status: Locator;
  private readonly alerts: Locator;

  constructor(private readonly page: Page, private readonly url: string, private readonly timeoutMs: number) {
    this.searchBox = page.getByLabel('Search users');
    this.table = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Email' }) });
    this.rows = this.table.getByRole('row').filter({ has: page.getByRole('cell') });
    this.headers = this.table.getByRole('columnheader');
    this.next = page.getByRole('button', { name: 'Next', exact: true });
    this.addUsers = page.getByRole('button', { name: 'Add new users' });
    this.loginButton = page.getByRole('button', { name: 'Log in', exact: true });
    this.status = page.getByRole('status');
    this.alerts = page.getByRole('alert');
  }

  /** Loads the team screen afresh; landing on the login screen means the session has expired. */
  async open(): Promise<void> {
    const response = await this.page.goto(this.url, { timeout: this.timeoutMs });
    if (response && response.status() >= 500) throw new TransientAppError(`UXPin's team page answered ${response.status()}`);
    const ready = await pollUntil(() => this.listReady(), this.timeoutMs);
    if (!ready) throw new TransientAppError('the team list did not load');
  }

  /** Filters the list with the search box and waits until every row shown matches. */
  async search(query: string): Promise<void> {
    await this.searchBox.fill(query);
    await this.searchBox.press('Enter');
    const q = query.trim().toLowerCase();
    const filtered = await pollUntil(async () => {
      if (!(await this.listReady())) return undefined;
      const texts = await this.rows.allInnerTexts();
      const matches = texts.length > 0 && texts.every((t) => !t.includes('@') || t.toLowerCase().includes(q));
      return matches || undefined;
    }, this.timeoutMs);
    if (!filtered) throw new TransientAppError(`the search for ${query} did not finish`);
  }

  /** Searches for `email` and reads its row; null when UXPin lists no such member. */
  async find(email: string): Promise<TeamRow | null> {
    await this.search(email);
    const row = this.rowFor(email);
    if ((await row.count()) === 0) return null;
    return this.readRow(row.first(), await this.columns());
  }

  /** The members on the page shown now. */
  async readPage(): Promise<TeamRow[]> {
    const columns = await this.columns();
    const users: TeamRow[] = [];
    for (const row of await this.rows.all()) {
      const user = await this.readRow(row, columns);
      if (user) users.push(user);
    }
    return users;
  }

  /** Goes to the next page of the list; false on the last page. */
  async nextPage(): Promise<boolean> {
    if ((await this.next.count()) === 0 || !(await this.next.isEnabled())) return false;
    const before = (await this.rows.allInnerTexts())[0];
    await this.next.click();
    const moved = await pollUntil(async () => {
      if (!(await this.listReady())) return undefined;
      const first = (await this.rows.allInnerTexts())[0];
      return first !== undefined && first !== before ? true : undefined;
    }, this.timeoutMs);
    if (!moved) throw new TransientAppError('the next page of the team list did not load');
    return true;
  }

  /** Picks a role in the row's select; UXPin saves on change and says "Role updated". */
  async chooseRole(email: string, role: string): Promise<ActionOutcome> {
    await this.rowFor(email).getByRole('combobox').selectOption({ label: role }, { timeout: this.timeoutMs });
    const outcome = await pollUntil<ActionOutcome>(async () => {
      const message = await visibleAlert(this.alerts);
      if (message) return { kind: 'alert', message };
      return (await this.status.filter({ hasText: 'Role updated' }).count()) > 0 ? { kind: 'done' } : undefined;
    }, this.timeoutMs);
    return outcome ?? { kind: 'no-answer' };
  }

  /** Three-dot menu → Remove from team → confirm. */
  async removeUser(email: string): Promise<ActionOutcome> {
    await this.rowFor(email).getByRole('button', { name: /^More actions/i }).click({ timeout: this.timeoutMs });
    await this.page.getByRole('menuitem', { name: 'Remove from team' }).click({ timeout: this.timeoutMs });
    return new RemoveUserDialog(this.page, email, this.timeoutMs).confirm();
  }

  async openAddUsers(): Promise<AddUsersDialog> {
    await this.addUsers.click({ timeout: this.timeoutMs });
    const dialog = new AddUsersDialog(this.page, this.timeoutMs);
    await dialog.waitOpen();
    return dialog;
  }

  /** true once the table shows; throws when UXPin has sent us to its login screen instead. */
  private async listReady(): Promise<true | undefined> {
    if (await this.loginButton.isVisible()) throw new SessionExpiredError('UXPin showed its login screen instead of the team page');
    return (await this.table.isVisible()) || undefined;
  }

  private rowFor(email: string): Locator {
    return this.rows.filter({ has: this.page.getByRole('cell', { name: wholeText(email) }) });
  }

  private async columns(): Promise<Columns> {
    const names = (await this.headers.allInnerTexts()).map((h) => h.trim().toLowerCase());
    const index = (name: string) => {
      const i = names.indexOf(name);
      if (i < 0) throw new TransientAppError(`the team table has no "${name}" column (columns: ${names.join(', ')})`);
      return i;
    };
    return { name: index('name'), email: index('email'), role: index('role'), status: index('status') };
  }

  private async readRow(row: Locator, columns: Columns): Promise<TeamRow | null> {
    const cells = await row.getByRole('cell').allInnerTexts();
    const email = cells[columns.email]?.trim().toLowerCase();
    if (!email?.includes('@')) return null;
    return {
      email,
      name: cells[columns.name]?.trim() ?? '',
      role: await this.roleIn(row, cells[columns.role]),
      status: /pending/i.test(cells[columns.status] ?? '') ? 'pending' : 'active',
    };
  }

  /** The role select's chosen option; a row without a select shows the role as text. */
  private async roleIn(row: Locator, cellText: string | undefined): Promise<string | null> {
    const [chosen] = await row.getByRole('combobox').evaluateAll((selects) => selects.map((el) =>
      el instanceof HTMLSelectElement ? (el.selectedOptions[0]?.text ?? null) : el.textContent));
    if (chosen === undefined) return cellText?.trim() || null;
    return chosen?.trim() || null;
  }
}
