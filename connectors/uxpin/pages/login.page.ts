/** UXPin's login screen and its optional two-factor step. */
import type { Locator, Page } from 'playwright-core';
import { TransientAppError } from '../../../core/errors.ts';
import { pollUntil, visibleAlert } from '../support.ts';

export type LoginOutcome = { kind: 'signed-in' } | { kind: 'code' } | { kind: 'refused'; message: string };

export class LoginPage {
  private readonly email: Locator;
  private readonly password: Locator;
  private readonly logIn: Locator;
  private readonly code: Locator;
  private readonly verify: Locator;
  private readonly alerts: Locator;
  /** The Dashboard's top-bar link: seeing it means we are signed in. */
  private readonly signedIn: Locator;

  constructor(private readonly page: Page, private readonly url: string, private readonly timeoutMs: number) {
    this.email = page.getByLabel('Email', { exact: true });
    this.password = page.getByLabel('Password', { exact: true });
    this.logIn = page.getByRole('button', { name: 'Log in', exact: true });
    this.code = page.getByLabel('Authentication code');
    this.verify = page.getByRole('button', { name: 'Verify', exact: true });
    this.alerts = page.getByRole('alert');
    this.signedIn = page.getByRole('link', { name: 'Manage your team' });
  }

  /** Opens the login screen; a live session goes straight on to the Dashboard. */
  async open(): Promise<'form' | 'signed-in'> {
    const response = await this.page.goto(this.url, { timeout: this.timeoutMs });
    if (response && response.status() >= 500) throw new TransientAppError(`UXPin's login page answered ${response.status()}`);
    const state = await pollUntil(async () => {
      if (await this.signedIn.isVisible()) return 'signed-in' as const;
      return (await this.email.isVisible()) ? ('form' as const) : undefined;
    }, this.timeoutMs);
    if (!state) throw new TransientAppError('the login screen did not load');
    return state;
  }

  async submitPassword(email: string, password: string): Promise<LoginOutcome> {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.logIn.click();
    return this.outcome(true);
  }

  async submitCode(code: string): Promise<LoginOutcome> {
    await this.code.fill(code);
    await this.verify.click();
    return this.outcome(false);
  }

  /** After Verify the old screen also shows the code field, so it only counts after the password. */
  private async outcome(codeMeansNext: boolean): Promise<LoginOutcome> {
    const outcome = await pollUntil<LoginOutcome>(async () => {
      if (await this.signedIn.isVisible()) return { kind: 'signed-in' };
      const message = await visibleAlert(this.alerts);
      if (message) return { kind: 'refused', message };
      return codeMeansNext && (await this.code.isVisible()) ? { kind: 'code' } : undefined;
    }, this.timeoutMs);
    if (!outcome) throw new TransientAppError('UXPin did not answer the login');
    return outcome;
  }
}
