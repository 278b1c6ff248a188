/** The console as a person uses it: sign in, move between pages, act. Locators by role and label. */
import type { Locator, Page } from 'playwright-core';

export class ConsolePage {
  readonly token: Locator;
  readonly signIn: Locator;
  readonly heading: Locator;
  readonly mainNav: Locator;
  readonly notice: Locator;

  constructor(readonly page: Page, readonly baseUrl: string) {
    this.token = page.getByLabel('Token');
    this.signIn = page.getByRole('button', { name: 'Sign in' });
    this.heading = page.getByRole('heading', { level: 1 });
    this.mainNav = page.getByRole('navigation', { name: 'Main' });
    this.notice = page.getByRole('status').or(page.getByRole('alert'));
  }

  async login(token: string, path = '/console'): Promise<void> {
    await this.page.goto(`${this.baseUrl}${path}`);
    await this.token.fill(token);
    await this.signIn.click();
    await this.page.waitForLoadState('domcontentloaded');
  }

  async openSection(name: string): Promise<void> {
    await this.mainNav.getByRole('link', { name, exact: true }).click();
    await this.page.waitForLoadState('domcontentloaded');
  }

  /** The CSRF form token of the session, read from the sign-out form as a forger with page access would. */
  async formToken(): Promise<string> {
    return (await this.page.locator('form[action="/console/logout"] input[name="_csrf"]').getAttribute('value')) ?? '';
  }

  async post(path: string, form: Record<string, string>) {
    return this.page.request.post(`${this.baseUrl}${path}`, { form, maxRedirects: 0 });
  }

  async shoot(dir: string | undefined, name: string): Promise<void> {
    if (!dir) return;
    // A full-page screenshot does not scroll, so lazy images below the fold would stay empty.
    await this.page.evaluate(() => Promise.all([...document.querySelectorAll('img')].map((img) => {
      img.loading = 'eager';
      return img.complete ? undefined : new Promise((resolve) => { img.onload = img.onerror = resolve; });
    })));
    await this.page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
  }
}
