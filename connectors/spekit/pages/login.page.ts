/**
 * Spekit's login screen: "username or email and password" (spekit.md), then an authentication
 * code when asked. The form is found by the shared LoginForm (a textbox named for email or
 * username, the one password field, a Log in / Sign in / Continue button), never by one wording.
 */
import type { Locator, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { PermanentAppError } from '../../../core/errors.ts';
import type { AdminCredentials } from '../../../core/connector.ts';
import { LoginForm, type LoginOutcome } from '../../lib/screen/login-form.ts';
import { named } from '../../lib/screen/fields.ts';
import { SCREEN_TIMEOUT_MS } from '../../lib/screen/settle.ts';

const SCREEN = 'Spekit login';

/** The Settings gear of every signed-in page: a link or a button named "Settings". */
export function settingsControl(page: Page): Locator {
  const name = named('settings');
  return page.getByRole('link', { name }).or(page.getByRole('button', { name })).first();
}

export class LoginPage {
  private readonly form: LoginForm;
  private readonly settings: Locator;

  constructor(page: Page, private readonly baseUrl: string) {
    this.settings = settingsControl(page);
    this.form = new LoginForm(page, { screen: SCREEN, timeoutMs: SCREEN_TIMEOUT_MS, signedIn: this.settings });
  }

  /**
   * Opens the app's root (app.spekit.co is all spekit.md names; the login path is not
   * documented): a live session shows a signed-in page, else the login form. true when signed in.
   */
  async open(): Promise<boolean> {
    return (await this.form.open(new URL('/', this.baseUrl).toString())) === 'signed-in';
  }

  async logIn(credentials: AdminCredentials): Promise<void> {
    const outcome = await this.signedInDespiteToast(await this.form.submit(credentials.email, credentials.password));
    if (outcome.kind === 'refused') throw new PermanentAppError('bad_credentials', outcome.message);
    if (outcome.kind === 'code') await this.enterCode(credentials.totpSecret);
  }

  private async enterCode(totpSecret: string | undefined): Promise<void> {
    if (!totpSecret) throw new PermanentAppError('mfa_required', 'Spekit asks for an authentication code but the connection has no TOTP secret');
    const code = new TOTP({ secret: Secret.fromBase32(totpSecret) }).generate();
    const outcome = await this.signedInDespiteToast(await this.form.submitCode(code));
    if (outcome.kind === 'refused') throw new PermanentAppError('mfa_required', outcome.message);
  }

  /**
   * A welcome toast is drawn as an alert by many apps: an alert on a page that shows the Settings
   * gear and no login field is a signed-in page, not a refusal (a refusal keeps the form on screen).
   */
  private async signedInDespiteToast(outcome: LoginOutcome): Promise<LoginOutcome> {
    if (outcome.kind !== 'refused') return outcome;
    const form = (await this.form.identity.isVisible()) || (await this.form.code.isVisible());
    return !form && (await this.settings.isVisible()) ? { kind: 'signed-in' } : outcome;
  }
}
