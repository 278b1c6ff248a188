/**
 * Settings (gear) → Connect (spekit.md): the SSO state and, once SSO works, the way to SCIM
 * provisioning. The gear may be a link to a Settings page or a button opening a menu, and SCIM
 * provisioning a link or a tab: each is found by role and a tolerant name.
 */
import type { Locator, Page } from 'playwright-core';
import { named } from '../../lib/screen/fields.ts';
import { clickOn, onScreen } from '../../lib/screen/settle.ts';
import { settingsControl } from './login.page.ts';

export type SsoState = { connected: true } | { connected: false; message: string };

/** The page's reason that SCIM is not offered (sandbox wording "Set up SSO before enabling SCIM provisioning"). */
export const SSO_REQUIRED = /set ?up (sso|single sign-on) (before|first)|(sso|single sign-on) (must|needs to) be (set up|connected|configured)/i;

export function ssoRequiredMessage(page: Page): Locator {
  return page.getByText(SSO_REQUIRED).first();
}

export class ConnectPage {
  private readonly settings: Locator;
  private readonly connect: Locator;
  private readonly scimEntry: Locator;
  private readonly ssoRequired: Locator;

  constructor(private readonly page: Page) {
    this.settings = settingsControl(page);
    const connect = named('connect');
    this.connect = page.getByRole('link', { name: connect }).or(page.getByRole('menuitem', { name: connect }))
      .or(page.getByRole('tab', { name: connect })).first();
    const scim = /scim provisioning/i;
    this.scimEntry = page.getByRole('link', { name: scim }).or(page.getByRole('tab', { name: scim })).first();
    this.ssoRequired = ssoRequiredMessage(page);
  }

  async open(): Promise<void> {
    await clickOn(this.page, 'Spekit header', 'no Settings link or gear button', this.settings);
    await clickOn(this.page, 'Spekit Settings', 'no Connect entry under Settings', this.connect);
  }

  /** SSO is a hard prerequisite of SCIM (spekit.md); without it the page says so and offers no SCIM step. */
  async ssoState(): Promise<SsoState> {
    return onScreen(this.page, 'Spekit Settings → Connect', 'neither a SCIM provisioning link or tab nor a message that SSO must be set up first', async () => {
      if (await this.scimEntry.isVisible()) return { connected: true } as const;
      if (await this.ssoRequired.isVisible()) return { connected: false, message: (await this.ssoRequired.innerText()).trim() } as const;
      return undefined;
    });
  }

  async openScim(): Promise<void> {
    await this.scimEntry.click();
  }
}
