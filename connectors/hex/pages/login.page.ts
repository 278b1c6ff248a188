/**
 * Hex's login (hex.md: Email, Password, Log in; then "Two-factor authentication" with an
 * Authentication code when the account has it). Found by the shared LoginForm, never by one
 * wording; a code is asked for only when the connection has a TOTP secret.
 */
import type { Page } from 'playwright-core';
import type { AdminCredentials } from '../../../core/connector.ts';
import { PermanentAppError } from '../../../core/errors.ts';
import { LoginForm, type LoginOutcome } from '../../lib/screen/login-form.ts';
import { totpCode } from '../../lib/totp.ts';
import { SCREEN_TIMEOUT_MS } from './screen.ts';

export class LoginPage {
  private readonly form: LoginForm;

  constructor(page: Page, private readonly baseUrl: string) {
    this.form = new LoginForm(page, { screen: 'Hex login', timeoutMs: SCREEN_TIMEOUT_MS });
  }

  /** Opens `/login`; a live session goes on to a signed-in page. true when signed in. */
  async open(): Promise<boolean> {
    return (await this.form.open(new URL('/login', this.baseUrl).href)) === 'signed-in';
  }

  /** Password, then the code when asked. `onSecret` learns the code before it is typed (evidence masks it). */
  async logIn(credentials: AdminCredentials, onSecret: (secret: string) => void = () => {}): Promise<void> {
    let outcome: LoginOutcome = await this.form.submit(credentials.email, credentials.password);
    if (outcome.kind === 'refused') throw new PermanentAppError('bad_credentials', `Hex refused the login: ${outcome.message}`);
    if (outcome.kind === 'code') {
      if (!credentials.totpSecret) throw new PermanentAppError('mfa_required', 'Hex asks for an authentication code but the connection has no TOTP secret');
      const code = totpCode(credentials.totpSecret);
      onSecret(code);
      outcome = await this.form.submitCode(code);
      if (outcome.kind === 'refused') throw new PermanentAppError('mfa_required', `Hex refused the authentication code: ${outcome.message}`);
    }
    if (outcome.kind !== 'signed-in') throw new PermanentAppError('mfa_required', 'Hex asked for a second authentication code');
  }
}
