/**
 * Settings → Authentication (hyperproof.md): the SSO state, the Provisioning switch (disabled
 * without SSO), its dialog with the SCIM Endpoint URL and Bearer Token, the Tokens list with
 * +New token and per-token Delete. The switch may be an ARIA switch or a checkbox; lists a table
 * or a grid; dialogs native or ARIA. Tokens are only ever returned, never logged here.
 */
import type { Locator, Page } from 'playwright-core';
import { TransientAppError } from '../../../core/errors.ts';
import { cellsOf, columnIndexes, dataRows } from '../../lib/screen/list.ts';
import { confirmIn, dialogNamed, named, onScreen, openSettings, SCREEN_TIMEOUT_MS, visibleTexts, waitFor } from './screen.ts';

const SCREEN = 'Hyperproof Settings → Authentication';

export type ProvisioningState =
  | { kind: 'sso-missing'; message: string }
  | { kind: 'off' }
  | { kind: 'on'; endpointUrl: string };

/** A token as the Tokens list shows it: `•••• <last 4>` and its dates as written. */
export interface ListedToken {
  last4: string;
  /** The Created column as written (null when the list has none). */
  created: string | null;
}

/** "Single sign-on is not configured", "SSO is not set up", "Configure single sign-on before …". */
const SSO_MISSING = /(single sign-on|sso)\b.*\bnot (configured|set ?up|enabled)|configure (single sign-on|sso) (before|first)/i;
// Token characters include - and _, so the end is "no further token character", not \b.
const MASKED = /•+\s*([A-Za-z0-9_-]{4})(?![A-Za-z0-9_-])/;

export class AuthenticationPage {
  private readonly toggle: Locator;
  private readonly ssoMissing: Locator;
  private readonly endpoint: Locator;
  private readonly tokensList: Locator;
  private readonly newTokenButton: Locator;

  constructor(private readonly page: Page) {
    const provisioning = named('(scim )?provisioning');
    this.toggle = page.getByRole('switch', { name: provisioning }).or(page.getByRole('checkbox', { name: provisioning })).first();
    this.ssoMissing = page.getByText(SSO_MISSING).first();
    this.endpoint = page.getByRole('textbox', { name: /endpoint/i }).first();
    this.tokensList = page.getByRole('table', { name: /tokens/i }).or(page.getByRole('grid', { name: /tokens/i })).first();
    this.newTokenButton = page.getByRole('button', { name: /^\s*\+?\s*new token\s*$/i }).first();
  }

  async open(): Promise<void> {
    await openSettings(this.page, 'Authentication');
  }

  /** SSO missing (the switch disabled and the page saying why), provisioning off, or on with its URL. */
  async state(): Promise<ProvisioningState> {
    return onScreen(this.page, SCREEN, 'no Provisioning switch', async () => {
      if (!(await this.toggle.isVisible())) return undefined;
      const on = await this.isOn();
      if (!on && (await this.toggle.isDisabled())) {
        const message = (await this.ssoMissing.isVisible()) ? (await this.ssoMissing.innerText()).trim() : 'the Provisioning switch is disabled';
        return { kind: 'sso-missing', message } as const;
      }
      if (!on) return { kind: 'off' } as const;
      if (!(await this.endpoint.isVisible())) return undefined;
      const endpointUrl = (await this.endpoint.inputValue()).trim();
      return endpointUrl ? ({ kind: 'on', endpointUrl } as const) : undefined;
    });
  }

  private async isOn(): Promise<boolean> {
    const checked = await this.toggle.getAttribute('aria-checked');
    return checked === null ? this.toggle.isChecked() : checked === 'true';
  }

  /** Turns the switch on: the dialog's SCIM Endpoint URL and Bearer Token, not yet saved. */
  async switchOn(): Promise<{ endpointUrl: string; token: string }> {
    await this.markAlerts();
    await this.toggle.click({ timeout: SCREEN_TIMEOUT_MS });
    const dialog = dialogNamed(this.page, named('(scim )?provisioning'));
    const url = dialog.getByRole('textbox', { name: /endpoint/i }).first();
    const token = dialog.getByRole('textbox', { name: /\btoken\b/i }).first();
    return onScreen(this.page, SCREEN, 'no Provisioning dialog with a SCIM Endpoint URL and a Bearer Token', async () => {
      if (await this.freshError()) throw new TransientAppError(`${SCREEN} answered an error: ${await this.freshError()}`);
      if (!(await token.isVisible())) return undefined;
      const values = { endpointUrl: (await url.inputValue()).trim(), token: (await token.inputValue()).trim() };
      return values.endpointUrl && values.token ? values : undefined;
    });
  }

  /** Save in the Provisioning dialog: the token goes live only now (hyperproof.md). */
  async save(): Promise<void> {
    const dialog = dialogNamed(this.page, named('(scim )?provisioning'));
    await confirmIn(this.page, SCREEN, dialog, dialog.getByRole('button', { name: named('save') }));
  }

  /** The Tokens list as shown (fresh: call after a reload to trust it). */
  async tokens(): Promise<ListedToken[]> {
    await waitFor(this.page, SCREEN, 'no Tokens list', this.tokensList);
    const { found } = await columnIndexes(this.tokensList, { created: /created|date/i });
    const out: ListedToken[] = [];
    for (const row of await dataRows(this.tokensList, this.page).all()) {
      const cells = (await cellsOf(row).allInnerTexts()).map((c) => c.trim());
      const match = MASKED.exec(cells.join(' '));
      if (match) out.push({ last4: match[1]!, created: found.created === undefined ? null : cells[found.created] ?? null });
    }
    return out;
  }

  /** Whether +New token is offered now (false at the token limit: the button is disabled). */
  async canCreateToken(): Promise<boolean> {
    await waitFor(this.page, SCREEN, 'no New token button', this.newTokenButton);
    return this.newTokenButton.isEnabled();
  }

  /** +New token: made at once and shown once in the New token dialog; Done closes it. */
  async newToken(): Promise<string> {
    await this.markAlerts();
    await this.newTokenButton.click({ timeout: SCREEN_TIMEOUT_MS });
    const dialog = dialogNamed(this.page, /new token/i);
    const field = dialog.getByRole('textbox', { name: /\btoken\b/i }).first();
    const token = await onScreen(this.page, SCREEN, 'no New token dialog with a Bearer Token', async () => {
      const error = await this.freshError();
      if (error) throw new TransientAppError(`${SCREEN} answered an error after New token: ${error}`);
      return (await field.isVisible()) ? (await field.inputValue()).trim() || undefined : undefined;
    });
    await confirmIn(this.page, SCREEN, dialog, dialog.getByRole('button', { name: named('done|close|ok') }));
    return token;
  }

  /** Delete token ending in <last4> → Delete token? → Delete. */
  async deleteToken(last4: string): Promise<void> {
    const button = this.page.getByRole('button', { name: new RegExp(`delete token ending in ${last4}(?![A-Za-z0-9_-])`, 'i') }).first();
    await waitFor(this.page, SCREEN, `no Delete button for the token ending in ${last4}`, button);
    await button.click();
    const dialog = dialogNamed(this.page, /delete token/i);
    await waitFor(this.page, SCREEN, 'no Delete token? confirmation', dialog);
    await confirmIn(this.page, SCREEN, dialog, dialog.getByRole('button', { name: named('delete( token)?') }));
  }

  async reload(): Promise<void> {
    await this.page.reload({ timeout: SCREEN_TIMEOUT_MS });
  }

  private errorsBefore: string[] = [];

  /** Remembers the alerts on screen now, so that only new ones count as the app's answer. */
  private async markAlerts(): Promise<void> {
    this.errorsBefore = await visibleTexts(this.page.getByRole('alert'));
  }

  private async freshError(): Promise<string | undefined> {
    const fresh = (await visibleTexts(this.page.getByRole('alert'))).filter((t) => !this.errorsBefore.includes(t));
    return fresh.length ? fresh.join(' ') : undefined;
  }
}
