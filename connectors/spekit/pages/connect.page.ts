/** Settings (gear) → Connect: the SSO state and, once SSO works, the way to SCIM provisioning. */
import type { Locator, Page } from 'playwright-core';

export type SsoState = { connected: true } | { connected: false; message: string };

export class ConnectPage {
  private readonly settings: Locator;
  private readonly connect: Locator;
  private readonly scimLink: Locator;
  private readonly ssoRequired: Locator;

  constructor(private readonly page: Page) {
    this.settings = page.getByRole('link', { name: 'Settings' });
    this.connect = page.getByRole('link', { name: 'Connect', exact: true });
    this.scimLink = page.getByRole('link', { name: 'SCIM provisioning' });
    this.ssoRequired = page.getByText('Set up SSO before enabling SCIM provisioning');
  }

  async open(): Promise<void> {
    await this.settings.click();
    await this.connect.click();
    await this.page.getByRole('heading', { name: 'Connect', exact: true }).waitFor();
  }

  /** SSO is a hard prerequisite of SCIM (spekit.md); without it the page says so and offers no SCIM step. */
  async ssoState(): Promise<SsoState> {
    await this.scimLink.or(this.ssoRequired).first().waitFor();
    if (await this.scimLink.isVisible()) return { connected: true };
    return { connected: false, message: (await this.ssoRequired.innerText()).trim() };
  }

  async openScim(): Promise<void> {
    await this.scimLink.click();
    await this.page.getByRole('heading', { name: 'SCIM provisioning' }).waitFor();
  }
}
