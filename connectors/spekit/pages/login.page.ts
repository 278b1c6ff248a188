/** Spekit's login screen: username or email and password, then an authentication code when asked. */
import type { Locator, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { PermanentAppError } from '../../../core/errors.ts';
import type { AdminCredentials } from '../../../core/connector.ts';

export class LoginPage {
  private readonly login: Locator;
  private readonly password: Locator;
  private readonly submit: Locator;
  private readonly code: Locator;
  private readonly verify: Locator;
  private readonly alert: Locator;
  /** The gear in the header: present on every signed-in page. */
  private readonly settings: Locator;

  constructor(private readonly page: Page, private readonly baseUrl: string) {
    this.login = page.getByLabel('Username or email');
    this.password = page.getByLabel('Password');
    this.submit = page.getByRole('button', { name: 'Log in', exact: true });
    this.code = page.getByLabel('Authentication code');
    this.verify = page.getByRole('button', { name: 'Verify' });
    this.alert = page.getByRole('alert');
    this.settings = page.getByRole('link', { name: 'Settings' });
  }

  async open(): Promise<void> {
    await this.page.goto(new URL('/login', this.baseUrl).toString());
  }

  /** Waits for the login form or a signed-in page (a live session skips the form). */
  async isSignedIn(): Promise<boolean> {
    await this.login.or(this.settings).first().waitFor();
    return this.settings.isVisible();
  }

  async logIn(credentials: AdminCredentials): Promise<void> {
    await this.login.fill(credentials.email);
    await this.password.fill(credentials.password);
    await this.submit.click();
    await this.settings.or(this.code).or(this.alert).first().waitFor();
    if (await this.alert.isVisible()) throw new PermanentAppError('bad_credentials', await this.alert.innerText());
    if (await this.code.isVisible()) await this.enterCode(credentials.totpSecret);
  }

  private async enterCode(totpSecret: string | undefined): Promise<void> {
    if (!totpSecret) throw new PermanentAppError('mfa_required', 'Spekit asks for an authentication code but the connection has no TOTP secret');
    await this.code.fill(new TOTP({ secret: Secret.fromBase32(totpSecret) }).generate());
    await this.verify.click();
    await this.settings.or(this.alert).first().waitFor();
    if (await this.alert.isVisible()) throw new PermanentAppError('mfa_required', await this.alert.innerText());
  }
}
