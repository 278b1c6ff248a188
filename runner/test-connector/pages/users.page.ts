/** The test app's user list: find, invite, change a role, remove. */
import type { Locator, Page } from 'playwright-core';
import type { ObservedUser } from '../../../core/connector.ts';
import { RateLimitedError, SessionExpiredError } from '../../../core/errors.ts';

export class UsersPage {
  readonly heading: Locator;
  readonly token: Locator;
  readonly alert: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Users' });
    this.token = page.getByRole('code');
    this.alert = page.getByRole('alert');
    this.rows = page.getByRole('row');
  }

  /** Opens the list; the app sends an expired session to the sign-in form. */
  async open(baseUrl: string): Promise<void> {
    const response = await this.page.goto(new URL('/users', baseUrl).href);
    if (response?.status() === 429) throw new RateLimitedError('the app answered 429', Number(response.headers()['retry-after'] ?? 1) * 1000);
    if (new URL(this.page.url()).pathname === '/login') throw new SessionExpiredError('the app asked to sign in again');
    await this.heading.waitFor();
  }

  async apiToken(): Promise<string> {
    return (await this.token.textContent())?.trim() ?? '';
  }

  async find(email: string): Promise<ObservedUser | null> {
    const row = this.rows.filter({ has: this.page.getByRole('cell', { name: email, exact: true }) });
    if ((await row.count()) === 0) return null;
    const cells = await row.first().getByRole('cell').allTextContents();
    return { email, role: cells[1]?.trim() || null, status: (cells[2]?.trim() ?? 'active') as ObservedUser['status'] };
  }

  async list(): Promise<ObservedUser[]> {
    const users: ObservedUser[] = [];
    for (const row of await this.rows.all()) {
      const cells = await row.getByRole('cell').allTextContents();
      // The header row has column headers, not cells.
      if (cells.length >= 3) users.push({ email: cells[0]!.trim(), role: cells[1]!.trim() || null, status: cells[2]!.trim() as ObservedUser['status'] });
    }
    return users;
  }

  async invite(email: string, role: string): Promise<void> {
    await this.page.getByLabel('Invite email').fill(email);
    await this.page.getByLabel('Invite role').selectOption(role);
    await this.submitAndWait(this.page.getByRole('button', { name: 'Send invite' }));
  }

  async changeRole(email: string, role: string): Promise<void> {
    await this.page.getByLabel(`Role of ${email}`, { exact: true }).selectOption(role);
    await this.submitAndWait(this.page.getByRole('button', { name: `Save role of ${email}`, exact: true }));
  }

  async remove(email: string): Promise<void> {
    await this.submitAndWait(this.page.getByRole('button', { name: `Remove ${email}`, exact: true }));
  }

  /** The alert the app showed after the last action, if any. */
  async error(): Promise<string | null> {
    return (await this.alert.count()) > 0 ? (await this.alert.textContent())?.trim() ?? null : null;
  }

  private async submitAndWait(button: Locator): Promise<void> {
    await Promise.all([this.page.waitForLoadState('load'), this.page.waitForURL('**/users'), button.click()]);
  }
}
