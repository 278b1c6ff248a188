/** The test app's sign-in screen. */
import type { Locator, Page } from 'playwright-core';

export class LoginPage {
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.email = page.getByLabel('Email');
    this.password = page.getByLabel('Password');
    this.submit = page.getByRole('button', { name: 'Sign in' });
    this.error = page.getByRole('alert');
  }

  async open(baseUrl: string): Promise<void> {
    await this.page.goto(new URL('/login', baseUrl).href);
  }

  /** Signs in; true when the app accepted the credentials. */
  async signIn(email: string, password: string): Promise<boolean> {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
    await this.page.waitForURL((url) => url.pathname === '/users' || url.pathname === '/login');
    return new URL(this.page.url()).pathname === '/users';
  }
}
