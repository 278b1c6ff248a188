/**
 * The SCIM provisioning step: Endpoint URL, Unique Identifier and the bearer token, which is shown
 * once after Generate / Regenerate and afterwards only as "Token created <date>". Its own page or
 * a tab of Connect; the token in a read-only input or textarea; names matched tolerantly.
 */
import type { Locator, Page } from 'playwright-core';
import { TransientAppError } from '../../../core/errors.ts';
import { ssoRequiredMessage } from './connect.page.ts';
import { named } from '../../lib/screen/fields.ts';
import { visibleTexts } from '../../lib/screen/poll.ts';
import { onScreen } from '../../lib/screen/settle.ts';

export interface RevealedToken {
  token: string;
  /** The "Token created <date>" text after the prefix, as the page shows it. */
  createdAt: string | null;
}

/** What the step shows: SSO missing, no token yet, or a token created on a date. */
export type ScimStepState =
  | { kind: 'sso-missing'; message: string }
  | { kind: 'no-token' }
  | { kind: 'token'; createdAt: string | null };

const SCREEN = 'Spekit SCIM provisioning';
/** How long a new alert must stand without the token field to count as Spekit's error answer. */
const ERROR_QUIET_MS = 750;
/** "Token created <date>", "Token generated on <date>", "Created: <date>". */
const CREATED = /^\s*(?:(?:scim |bearer )?token\s+)?(?:was\s+)?(?:created|generated)(?:\s+on)?\s*:?\s*/i;

export class ScimProvisioningPage {
  private readonly endpoint: Locator;
  private readonly bearerToken: Locator;
  private readonly generateButton: Locator;
  private readonly regenerateButton: Locator;
  private readonly dialog: Locator;
  private readonly created: Locator;
  private readonly alerts: Locator;
  private readonly ssoRequired: Locator;

  constructor(private readonly page: Page) {
    this.endpoint = page.getByRole('textbox', { name: /endpoint/i }).first();
    this.bearerToken = page.getByRole('textbox', { name: /\btoken\b/i }).first();
    this.generateButton = page.getByRole('button', { name: named('generate(?: (?:a |new )?(?:scim |bearer )?token)?') }).first();
    this.regenerateButton = page.getByRole('button', { name: named('regenerate(?: (?:scim |bearer )?token)?') }).first();
    this.dialog = page.getByRole('dialog').or(page.getByRole('alertdialog')).first();
    this.created = page.getByText(CREATED);
    this.alerts = page.getByRole('alert');
    this.ssoRequired = ssoRequiredMessage(page);
  }

  /** Waits for the step (its Endpoint URL field) or the page's "set up SSO first" message. */
  async endpointUrl(): Promise<string> {
    return onScreen(this.page, SCREEN, 'no Endpoint URL field', async () => {
      if (!(await this.endpoint.isVisible())) return undefined;
      return (await this.endpoint.inputValue()).trim() || undefined;
    });
  }

  async state(): Promise<ScimStepState> {
    return onScreen(this.page, SCREEN, 'neither a Generate token nor a Regenerate token button', async () => {
      if (await this.ssoRequired.isVisible()) return { kind: 'sso-missing', message: (await this.ssoRequired.innerText()).trim() } as const;
      if (await this.regenerateButton.isVisible()) return { kind: 'token', createdAt: await this.readCreated() } as const;
      if (await this.generateButton.isVisible()) return { kind: 'no-token' } as const;
      return undefined;
    });
  }

  /** true when a token exists (only Regenerate is offered), false when Generate is. */
  async hasToken(): Promise<boolean> {
    return (await this.state()).kind === 'token';
  }

  async tokenCreatedAt(): Promise<string | null> {
    const state = await this.state();
    return state.kind === 'token' ? state.createdAt : null;
  }

  async generate(): Promise<RevealedToken> {
    const before = await visibleTexts(this.alerts);
    await this.generateButton.click();
    return this.readRevealed(before);
  }

  /** Confirms "The current token will stop working immediately. Continue?" (Regenerate / Continue). */
  async regenerate(): Promise<RevealedToken> {
    const before = await visibleTexts(this.alerts);
    await this.regenerateButton.click();
    const confirm = this.dialog.getByRole('button', { name: /^\s*(regenerate|continue|confirm|yes)\b/i }).first();
    await onScreen(this.page, SCREEN, 'no confirmation dialog after Regenerate token', async () => ((await confirm.isVisible()) ? true : undefined));
    await confirm.click();
    return this.readRevealed(before);
  }

  /**
   * The token field appears once; a new alert instead means the outcome is unknown. Alerts that
   * were on screen before the click are a toast lingering from an earlier action, not an answer.
   */
  private async readRevealed(before: string[]): Promise<RevealedToken> {
    let errorSince = 0;
    const answer = await onScreen(this.page, SCREEN, 'neither a Bearer Token field nor an error after issuing the token', async () => {
      if (await this.bearerToken.isVisible()) {
        const token = (await this.bearerToken.inputValue()).trim();
        return token ? { token } : undefined;
      }
      const fresh = (await visibleTexts(this.alerts)).filter((text) => !before.includes(text));
      // A success toast can come a moment before a script draws the field: an alert is an
      // answer only once it has stood alone, without the field, for ERROR_QUIET_MS.
      if (fresh.length === 0) errorSince = 0;
      else if (errorSince === 0) errorSince = Date.now();
      return errorSince && Date.now() - errorSince >= ERROR_QUIET_MS ? { error: fresh.join(' ') } : undefined;
    });
    if ('error' in answer) throw new TransientAppError(`Spekit answered an error while issuing the token: ${answer.error}`);
    return { token: answer.token, createdAt: await this.readCreated() };
  }

  /** The date after "Token created"; texts without a digit (a "Token generated" toast) are not it. */
  private async readCreated(): Promise<string | null> {
    for (const text of await visibleTexts(this.created)) {
      const rest = text.replace(CREATED, '').trim();
      if (/\d/.test(rest)) return rest;
    }
    return null;
  }
}
