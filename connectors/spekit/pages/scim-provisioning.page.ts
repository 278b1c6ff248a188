/**
 * The SCIM provisioning step: Endpoint URL, Unique Identifier and the bearer token, which is shown
 * once after Generate / Regenerate and afterwards only as "Token created <date>".
 */
import type { Locator, Page } from 'playwright-core';
import { TransientAppError } from '../../../core/errors.ts';

export interface RevealedToken {
  token: string;
  /** The "Token created <date>" text after the prefix, as the page shows it. */
  createdAt: string | null;
}

export class ScimProvisioningPage {
  private readonly endpoint: Locator;
  private readonly bearerToken: Locator;
  private readonly generateButton: Locator;
  private readonly regenerateButton: Locator;
  private readonly dialog: Locator;
  private readonly created: Locator;
  private readonly alert: Locator;

  constructor(page: Page) {
    this.endpoint = page.getByLabel('Endpoint URL');
    this.bearerToken = page.getByLabel('Bearer Token', { exact: true });
    this.generateButton = page.getByRole('button', { name: 'Generate token' });
    this.regenerateButton = page.getByRole('button', { name: 'Regenerate token' });
    this.dialog = page.getByRole('dialog');
    this.created = page.getByText(/^Token created /);
    this.alert = page.getByRole('alert');
  }

  async endpointUrl(): Promise<string> {
    return this.endpoint.inputValue();
  }

  /** true when a token exists (only Regenerate is offered), false when Generate is. */
  async hasToken(): Promise<boolean> {
    await this.generateButton.or(this.regenerateButton).first().waitFor();
    return this.regenerateButton.isVisible();
  }

  async tokenCreatedAt(): Promise<string | null> {
    if (!(await this.created.isVisible())) return null;
    return (await this.created.innerText()).replace(/^Token created\s*/, '').trim();
  }

  async generate(): Promise<RevealedToken> {
    await this.generateButton.click();
    return this.readRevealed();
  }

  /** Confirms "The current token will stop working immediately. Continue?" with Regenerate. */
  async regenerate(): Promise<RevealedToken> {
    await this.regenerateButton.click();
    await this.dialog.getByText('The current token will stop working immediately').waitFor();
    await this.dialog.getByRole('button', { name: 'Regenerate', exact: true }).click();
    return this.readRevealed();
  }

  /** The token field appears once; an error page instead means the outcome is unknown. */
  private async readRevealed(): Promise<RevealedToken> {
    await this.bearerToken.or(this.alert).first().waitFor();
    if (await this.alert.isVisible()) {
      throw new TransientAppError(`Spekit answered an error while issuing the token: ${(await this.alert.innerText()).trim()}`);
    }
    const token = (await this.bearerToken.inputValue()).trim();
    if (token === '') throw new TransientAppError('Spekit showed an empty Bearer Token field');
    return { token, createdAt: await this.tokenCreatedAt() };
  }
}
