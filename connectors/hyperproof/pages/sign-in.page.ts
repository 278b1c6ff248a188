/**
 * Hyperproof's sign-in (hyperproof.md): Email address → Continue, then "Signing in as <email>",
 * Password → Sign in, then a verification code when two-step verification is on. The password
 * step may be a new page or drawn in place; a form showing both fields at once is filled in one
 * go. Fields are found by the shared tolerant finders, never by one wording.
 */
import type { Locator, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import type { AdminCredentials } from '../../../core/connector.ts';
import { PermanentAppError, ScreenMismatchError, TransientAppError } from '../../../core/errors.ts';
import { buttonNamed, codeField, identityField, passwordField, SUBMIT_LOGIN_NAME, VERIFY_NAME } from '../../lib/screen/fields.ts';
import { pollUntil, visibleText } from '../../lib/screen/poll.ts';
import { SCREEN_TIMEOUT_MS } from './screen.ts';

const SCREEN = 'Hyperproof sign-in';

type Outcome = 'password' | 'code' | 'signed-in' | { refused: string };

export class SignInPage {
  private readonly identity: Locator;
  private readonly password: Locator;
  private readonly code: Locator;
  private readonly submit: Locator;
  private readonly verify: Locator;
  private readonly alerts: Locator;
  /** Only signed-in pages have the Main navigation. */
  private readonly signedIn: Locator;

  constructor(private readonly page: Page, private readonly baseUrl: string) {
    this.identity = identityField(page).first();
    this.password = passwordField(page);
    this.code = codeField(page).first();
    this.submit = buttonNamed(page, SUBMIT_LOGIN_NAME).first();
    this.verify = buttonNamed(page, VERIFY_NAME).first();
    this.alerts = page.getByRole('alert');
    this.signedIn = page.getByRole('navigation', { name: /^\s*main\s*$/i });
  }

  /** Opens the app; true when a live session already shows a signed-in page. */
  async open(): Promise<boolean> {
    const response = await this.page.goto(new URL('/', this.baseUrl).toString(), { timeout: SCREEN_TIMEOUT_MS });
    if (response && response.status() >= 500) throw new TransientAppError(`${SCREEN} answered ${response.status()}`);
    const state = await pollUntil(async () => {
      if (await this.signedIn.isVisible()) return 'signed-in' as const;
      return (await this.identity.isVisible()) ? ('form' as const) : undefined;
    }, SCREEN_TIMEOUT_MS);
    if (!state) throw new ScreenMismatchError(SCREEN, 'no field for the email address');
    return state === 'signed-in';
  }

  async signIn(credentials: AdminCredentials): Promise<void> {
    await this.identity.fill(credentials.email);
    let outcome: Outcome = 'password';
    if (!(await this.password.isVisible())) {
      await this.press(this.submit, this.identity);
      outcome = await this.next(['password']);
    }
    if (outcome === 'password') {
      await this.password.fill(credentials.password);
      await this.press(this.submit, this.password);
      outcome = await this.next(['code', 'signed-in']);
    }
    if (outcome === 'code') outcome = await this.enterCode(credentials.totpSecret);
    if (typeof outcome === 'object') throw new PermanentAppError('bad_credentials', outcome.refused);
  }

  private async enterCode(totpSecret: string | undefined): Promise<Outcome> {
    if (!totpSecret) throw new PermanentAppError('mfa_required', 'Hyperproof asks for a verification code but the connection has no TOTP secret');
    await this.code.fill(new TOTP({ secret: Secret.fromBase32(totpSecret) }).generate());
    await this.press(this.verify, this.code);
    const outcome = await this.next(['signed-in']);
    if (typeof outcome === 'object') throw new PermanentAppError('mfa_required', outcome.refused);
    return outcome;
  }

  /** A form without a recognisable button is sent the way a person would: Enter. */
  private async press(button: Locator, field: Locator): Promise<void> {
    if (await button.isVisible()) await button.click({ timeout: SCREEN_TIMEOUT_MS });
    else await field.press('Enter');
  }

  /** What the screen asks next: one of `expected`, or an alert (a refusal). */
  private async next(expected: Array<'password' | 'code' | 'signed-in'>): Promise<Outcome> {
    const outcome = await pollUntil<Outcome>(async () => {
      if (expected.includes('signed-in') && (await this.signedIn.isVisible())) return 'signed-in';
      const message = await visibleText(this.alerts);
      if (message) return { refused: message };
      if (expected.includes('code') && (await this.code.isVisible())) return 'code';
      if (expected.includes('password') && (await this.password.isVisible()) && !(await this.identity.isVisible())) return 'password';
      return undefined;
    }, SCREEN_TIMEOUT_MS);
    if (!outcome) throw new ScreenMismatchError(SCREEN, `no ${expected.join(' or ')} step after submitting`);
    return outcome;
  }
}
