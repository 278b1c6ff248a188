/**
 * A login form found as a person finds it: a textbox named for email or username, the one
 * password field, a "Log in"/"Sign in" button, and an optional authentication-code step. Knows
 * nothing of any one app: the connector names the screen (for error messages) and, optionally,
 * what a signed-in page shows. Where the app lands after login (dashboard or the page asked for)
 * does not matter: leaving the form without an alert counts as signed in.
 */
import type { Locator, Page } from 'playwright-core';
import { ScreenMismatchError, TransientAppError } from '../../../core/errors.ts';
import { buttonNamed, codeField, identityField, passwordField, SUBMIT_LOGIN_NAME, VERIFY_NAME } from './fields.ts';
import { pollUntil, visibleText } from './poll.ts';

export type LoginOutcome = { kind: 'signed-in' } | { kind: 'code' } | { kind: 'refused'; message: string };

export interface LoginFormOptions {
  /** The screen in words, for errors: "UXPin login". */
  screen: string;
  timeoutMs: number;
  /** Something only a signed-in page shows (a top-bar link, a Log out button); speeds detection. */
  signedIn?: Locator;
}

export class LoginForm {
  readonly identity: Locator;
  readonly password: Locator;
  readonly submitButton: Locator;
  readonly code: Locator;
  readonly verifyButton: Locator;
  private readonly alerts: Locator;

  constructor(private readonly page: Page, private readonly options: LoginFormOptions) {
    this.identity = identityField(page).first();
    this.password = passwordField(page);
    this.submitButton = buttonNamed(page, SUBMIT_LOGIN_NAME).first();
    this.code = codeField(page).first();
    this.verifyButton = buttonNamed(page, VERIFY_NAME).first();
    this.alerts = page.getByRole('alert');
  }

  /** Opens `url`; a live session that goes on to a signed-in page answers 'signed-in'. */
  async open(url: string): Promise<'form' | 'signed-in'> {
    const response = await this.page.goto(url, { timeout: this.options.timeoutMs });
    if (response && response.status() >= 500) {
      throw new TransientAppError(`${this.options.screen} answered ${response.status()}`);
    }
    const state = await pollUntil(async () => {
      if (await this.identity.isVisible()) return 'form' as const;
      return (await this.looksSignedIn()) ? ('signed-in' as const) : undefined;
    }, this.options.timeoutMs);
    if (!state) throw new ScreenMismatchError(this.options.screen, 'no field for the email or username');
    return state;
  }

  async submit(identity: string, password: string): Promise<LoginOutcome> {
    if (!(await this.password.isVisible())) throw new ScreenMismatchError(this.options.screen, 'no password field');
    await this.identity.fill(identity);
    await this.password.fill(password);
    await this.clickOrEnter(this.submitButton, this.password);
    return this.outcome(true);
  }

  async submitCode(code: string): Promise<LoginOutcome> {
    if (!(await this.code.isVisible())) throw new ScreenMismatchError(this.options.screen, 'no field for the authentication code');
    await this.code.fill(code);
    await this.clickOrEnter(this.verifyButton, this.code);
    return this.outcome(false);
  }

  /** A form without a recognisable button is still sent the way a person would: Enter. */
  private async clickOrEnter(button: Locator, field: Locator): Promise<void> {
    if (await button.isVisible()) await button.click({ timeout: this.options.timeoutMs });
    else await field.press('Enter');
  }

  /** After Verify the old screen also shows the code field, so it only counts after the password. */
  private async outcome(codeMeansNext: boolean): Promise<LoginOutcome> {
    const outcome = await pollUntil<LoginOutcome>(async () => {
      const message = await visibleText(this.alerts);
      if (message) return { kind: 'refused', message };
      if (codeMeansNext && (await this.code.isVisible())) return { kind: 'code' };
      return (await this.looksSignedIn()) ? { kind: 'signed-in' } : undefined;
    }, this.options.timeoutMs);
    if (!outcome) throw new TransientAppError(`${this.options.screen} did not answer the login`);
    return outcome;
  }

  /** The connector's signed-in marker, or a loaded page that shows no login or code field. */
  private async looksSignedIn(): Promise<boolean> {
    if (this.options.signedIn && (await this.options.signedIn.first().isVisible())) return true;
    if ((await this.page.evaluate(() => document.readyState)) !== 'complete') return false;
    if (!(await this.page.locator('body').innerText()).trim()) return false;
    const onForm = (await this.identity.isVisible()) || (await this.password.isVisible()) || (await this.code.isVisible());
    return !onForm;
  }
}
