/**
 * UXPin's login screen and its optional two-factor step, through the shared tolerant login form:
 * the field may be labelled "Email", "Email address" or "Email or username", and the app may land
 * on the Dashboard or on the page asked for.
 */
import type { Page } from 'playwright-core';
import { LoginForm, type LoginOutcome } from '../../lib/screen/login-form.ts';

export type { LoginOutcome } from '../../lib/screen/login-form.ts';

export class LoginPage {
  private readonly form: LoginForm;

  constructor(page: Page, private readonly url: string, timeoutMs: number) {
    // The Dashboard's top bar ("Manage your team") or a Log out button: only signed-in pages show them.
    const signedIn = page.getByRole('link', { name: /manage (your )?team/i })
      .or(page.getByRole('button', { name: /^\s*(log|sign) ?out\s*$/i }));
    this.form = new LoginForm(page, { screen: 'UXPin login', timeoutMs, signedIn });
  }

  /** Opens the login screen; a live session goes straight on to a signed-in page. */
  open(): Promise<'form' | 'signed-in'> {
    return this.form.open(this.url);
  }

  submitPassword(email: string, password: string): Promise<LoginOutcome> {
    return this.form.submit(email, password);
  }

  submitCode(code: string): Promise<LoginOutcome> {
    return this.form.submitCode(code);
  }
}
