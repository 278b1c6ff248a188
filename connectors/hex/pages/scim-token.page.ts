/**
 * Settings → Authentication → SCIM (hex.md): the SCIM base URL, then either "No SCIM token has
 * been generated." with Generate token, or "Token generated <date> by <email>" with Regenerate
 * token (confirmed in a dialog). A new token shows once, in a dialog, as the value of a read-only
 * field named "SCIM token". The plan and SSO messages stand where the buttons would be.
 */
import type { Locator, Page } from 'playwright-core';
import { PermanentAppError, TransientAppError } from '../../../core/errors.ts';
import { firstVisible, named, onHexScreen, visibleTexts } from './screen.ts';

export type ScimTabState =
  | { kind: 'blocked'; reason: 'plan' | 'sso'; message: string }
  | { kind: 'no-token' }
  | { kind: 'token'; generated: string | null };

export interface IssuedToken {
  token: string;
  /** "Token generated …" after the dialog closed, to tell later whether a failed Regenerate took effect. */
  generated: string | null;
}

const SCREEN = 'Hex Settings → Authentication → SCIM';
/** The Team plan's words (hex.md: "SCIM provisioning is available on the Enterprise plan."). */
export const PLAN_MESSAGE = /enterprise plan|upgrade to (the )?enterprise/i;
/** "Configure SSO before enabling SCIM provisioning." and its likely rewordings. */
export const SSO_MESSAGE = /(configure|set ?up|enable) (sso|single sign-on) (before|first)|(sso|single sign-on) (is )?required/i;
const GENERATED = /^\s*(?:scim )?token (?:was )?(?:generated|created)\b/i;
/** How long a new alert must stand without the token dialog to count as Hex's error answer. */
const ERROR_QUIET_MS = 750;

export class ScimTokenPage {
  private readonly scimEntry: Locator;
  private readonly baseUrlField: Locator;
  private readonly generateButton: Locator;
  private readonly regenerateButton: Locator;
  private readonly dialogs: Locator;
  private readonly generated: Locator;
  private readonly alerts: Locator;
  private readonly blockers: Locator;

  constructor(private readonly page: Page) {
    const scim = named('scim( provisioning)?');
    this.scimEntry = page.getByRole('tab', { name: scim }).or(page.getByRole('link', { name: scim }));
    this.baseUrlField = page.getByRole('textbox', { name: /scim (base )?url|base url|endpoint/i }).first();
    this.generateButton = page.getByRole('button', { name: named('generate( (a |new )?(scim )?token)?') }).first();
    this.regenerateButton = page.getByRole('button', { name: named('regenerate( (scim )?token)?') }).first();
    this.dialogs = page.getByRole('dialog').or(page.getByRole('alertdialog'));
    this.generated = page.getByText(GENERATED);
    this.alerts = page.getByRole('alert');
    this.blockers = page.getByText(PLAN_MESSAGE).or(page.getByText(SSO_MESSAGE));
  }

  /** From Authentication (SSO first), opens the SCIM tab or sub-page. */
  async openScimTab(): Promise<void> {
    const entry = await onHexScreen(this.page, SCREEN, 'no SCIM tab or link on the Authentication page', () => firstVisible(this.scimEntry));
    await entry.click();
  }

  async state(): Promise<ScimTabState> {
    return onHexScreen(this.page, SCREEN, 'neither a Generate token / Regenerate token button nor a plan or SSO message', async () => {
      const blocker = await firstVisible(this.blockers);
      if (blocker) {
        const message = (await blocker.innerText()).trim();
        return { kind: 'blocked', reason: PLAN_MESSAGE.test(message) ? 'plan' : 'sso', message } as const;
      }
      if (await this.regenerateButton.isVisible()) return { kind: 'token', generated: await this.readGenerated() } as const;
      if (await this.generateButton.isVisible()) return { kind: 'no-token' } as const;
      return undefined;
    });
  }

  /** The SCIM base URL the tab shows. */
  async baseUrl(): Promise<string> {
    return onHexScreen(this.page, SCREEN, 'no SCIM base URL field', async () =>
      ((await this.baseUrlField.isVisible()) ? (await this.baseUrlField.inputValue()).trim() || undefined : undefined));
  }

  /** Generate token (none exists) or Regenerate token + its confirmation; reads the dialog's token. */
  async issue(regenerate: boolean, onToken: (token: string) => void): Promise<IssuedToken> {
    const before = await visibleTexts(this.alerts);
    if (!regenerate) await this.generateButton.click();
    else {
      await this.regenerateButton.click();
      const confirm = this.dialogs.getByRole('button', { name: /^\s*(yes,? )?(regenerate|continue|confirm)\b/i });
      const button = await onHexScreen(this.page, SCREEN, 'no confirmation after Regenerate token', () => firstVisible(confirm));
      await button.click();
    }
    const token = await this.readDialog(before, onToken);
    return { token, generated: await this.readGenerated() };
  }

  /**
   * The token is the value of the dialog's SCIM token field; it is handed to `onToken` (which
   * registers it as a secret) before anything else happens, then the dialog is closed.
   */
  private async readDialog(before: string[], onToken: (token: string) => void): Promise<string> {
    let errorSince = 0;
    const answer = await onHexScreen(this.page, SCREEN, 'neither the new token nor an error after issuing it', async () => {
      const field = await firstVisible(this.dialogs.getByRole('textbox', { name: /token/i }));
      if (field) {
        const token = (await field.inputValue()).trim();
        return token ? { token, error: undefined } : undefined;
      }
      const fresh = (await visibleTexts(this.alerts)).filter((text) => !before.includes(text));
      if (fresh.length === 0) errorSince = 0;
      else if (errorSince === 0) errorSince = Date.now();
      return errorSince && Date.now() - errorSince >= ERROR_QUIET_MS ? { error: fresh.join(' '), token: undefined } : undefined;
    });
    if (answer.error !== undefined) {
      if (PLAN_MESSAGE.test(answer.error) || SSO_MESSAGE.test(answer.error)) throw new PermanentAppError('setup_required', answer.error);
      throw new TransientAppError(`Hex answered an error while issuing the SCIM token: ${answer.error}`);
    }
    onToken(answer.token!);
    await this.closeDialog();
    return answer.token!;
  }

  private async closeDialog(): Promise<void> {
    const close = this.dialogs.getByRole('button', { name: /^\s*(done|close|ok|got it)\s*$/i });
    const button = await firstVisible(close);
    if (button) await button.click();
    else await this.page.keyboard.press('Escape');
  }

  /** "Token generated <date> by <email>" as shown; a text without a digit (a toast) is not it. */
  private async readGenerated(): Promise<string | null> {
    for (const text of await visibleTexts(this.generated)) if (/\d/.test(text)) return text;
    return null;
  }
}
