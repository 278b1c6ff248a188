/**
 * Getting to a Settings section as a person does (hex.md): Settings at the bottom of the side
 * panel (a link, or inside a menu a button opens), then the "Settings" navigation's Users, Groups
 * or Authentication. A section already linked from the page is clicked at once.
 */
import type { Locator, Page } from 'playwright-core';
import { TransientAppError } from '../../../core/errors.ts';
import { firstVisible, named, onHexScreen } from './screen.ts';

export type SettingsSection = 'Users' | 'Groups' | 'Authentication';

const SCREEN = 'Hex side panel';

export class SettingsNav {
  private readonly settings: Locator;
  private readonly menuButtons: Locator;

  constructor(private readonly page: Page, private readonly baseUrl: string) {
    const name = named('settings');
    this.settings = page.getByRole('link', { name }).or(page.getByRole('menuitem', { name })).or(page.getByRole('button', { name }));
    // A collapsed menu button (a workspace or profile menu) may hold Settings.
    this.menuButtons = page.getByRole('button', { expanded: false });
  }

  private sectionLink(section: SettingsSection): Locator {
    const nav = this.page.getByRole('navigation', { name: /settings/i });
    return nav.getByRole('link', { name: named(section) }).or(nav.getByRole('tab', { name: named(section) }));
  }

  /** Opens Settings → `section` from the app's home (or wherever the page is). */
  async open(section: SettingsSection): Promise<void> {
    if (!/^https?:/.test(this.page.url()) || !this.page.url().startsWith(new URL(this.baseUrl).origin)) {
      const response = await this.page.goto(new URL('/', this.baseUrl).href);
      if (response && response.status() >= 500) throw new TransientAppError(`Hex answered ${response.status()}`);
    }
    const tried = new Set<string>();
    await onHexScreen(this.page, SCREEN, `no Settings entry leading to ${section}`, async () => {
      const link = await firstVisible(this.sectionLink(section));
      if (link) {
        await link.click();
        return true;
      }
      const settings = await firstVisible(this.settings);
      if (settings) {
        await settings.click();
        await this.page.waitForLoadState();
        return undefined;
      }
      // Try each collapsed menu button once: one of them opens the menu holding Settings.
      for (const button of await this.menuButtons.all()) {
        const key = (await button.innerText()).trim();
        if (tried.has(key) || !(await button.isVisible())) continue;
        tried.add(key);
        await button.click();
        return undefined;
      }
      return undefined;
    });
    await this.page.waitForLoadState();
  }
}
