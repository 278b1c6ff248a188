/**
 * Settings → Users (hex.md): after "Loading users…" a list (a <table> or an ARIA grid) with Name,
 * Email, Role and Status columns, a "Search users" box applied after a debounce, pages with
 * Previous / Next, and per row a role control named "Role for <email>" (a combobox button opening
 * a listbox, or a native select) that saves at once, sometimes after a seat confirmation.
 * A search counts as finished by the app's own signals (lib/screen/settle), never by a row.
 */
import { errors, type Locator, type Page } from 'playwright-core';
import { ScreenMismatchError, TransientAppError } from '../../../core/errors.ts';
import { cellsOf, columnIndexes, dataRows, listWithColumn } from '../../lib/screen/list.ts';
import { pollUntil } from '../../lib/screen/poll.ts';
import { watching, type RequestWatch } from '../../lib/screen/request-watch.ts';
import { emptyStateShown, settle } from '../../lib/screen/settle.ts';
import { firstVisible, named, SCREEN_TIMEOUT_MS, throwIfSignedOut, visibleTexts, wholeText } from './screen.ts';

export type HexUserStatus = 'active' | 'invited' | 'deactivated';

export interface UserRow {
  email: string;
  name: string;
  role: string | null;
  status: HexUserStatus;
  /** The role control is locked (own row, deactivated user). */
  locked: boolean;
}

/** What the screen said after a role was chosen: only a hint, the list after a reload decides. */
export type RoleOutcome = { kind: 'saved'; message: string } | { kind: 'failed'; message: string } | { kind: 'no-answer' } | { kind: 'cancelled' };

const SCREEN = 'Hex Settings → Users';
const COLUMNS = { name: /^\s*(full )?name\s*$/i, email: /e-?mail/i, role: /^\s*(workspace )?role\s*$/i, status: /status/i };
/** Confirm buttons of the seat dialog: "Change role", "Confirm", "Continue", "Yes". */
const CONFIRM = /^\s*(change role|confirm|continue|yes\b.*|ok)\s*$/i;
const FAILURE = /couldn'?t|could not|failed|error|try again/i;
/** Tries at opening the role list and picking the option. */
const PICK_ATTEMPTS = 3;

interface Reading {
  rows: string[];
  empty: boolean;
}
const keyOf = (r: Reading) => `${r.empty}|${r.rows.join('\u0000')}`;

export class UsersPage {
  private readonly list: Locator;
  private readonly rows: Locator;
  private readonly searchBox: Locator;
  private readonly next: Locator;
  private readonly statuses: Locator;
  private readonly dialogs: Locator;

  constructor(private readonly page: Page, private readonly timeoutMs = SCREEN_TIMEOUT_MS) {
    this.list = listWithColumn(page, /^\s*e-?mail( address)?\s*$/i);
    this.rows = dataRows(this.list, page);
    this.searchBox = page.getByRole('searchbox', { name: /search/i }).or(page.getByRole('textbox', { name: /search/i })).first();
    const next = named('next( page)?');
    this.next = page.getByRole('button', { name: next }).or(page.getByRole('link', { name: next })).first();
    this.statuses = page.getByRole('status').or(page.getByRole('alert'));
    this.dialogs = page.getByRole('dialog').or(page.getByRole('alertdialog'));
  }

  /** The list is on screen now (no wait): the page is already Settings → Users. */
  async shown(): Promise<boolean> {
    return (await this.list.isVisible()) && (await this.searchBox.isVisible());
  }

  /** Waits for the list after the page (re)loads. */
  async ready(): Promise<void> {
    const shown = await watching(this.page, undefined, (watch) => this.settled(watch, () => true));
    if (!shown) throw new ScreenMismatchError(SCREEN, 'no user list (a table or grid with an Email column) appeared');
  }

  /** Reloads the page and waits for the list: what Hex saved, not what a message said. */
  async reload(): Promise<void> {
    await watching(this.page, undefined, async (watch) => {
      const response = await this.page.reload({ timeout: this.timeoutMs });
      if (response && response.status() >= 500) throw new TransientAppError(`Hex's Users page answered ${response.status()}`);
      if (!(await this.settled(watch, () => true))) throw new ScreenMismatchError(SCREEN, 'no user list after reloading');
    });
  }

  /**
   * Filters with the search box and waits until the app answered and the list settled. Without a
   * seen answer (a search filtering in place) only a list consistent with the query counts.
   */
  async search(query: string): Promise<void> {
    const q = query.trim().toLowerCase();
    const settled = await watching(this.page, query.trim(), async (watch) => {
      await this.searchBox.fill(query, { timeout: this.timeoutMs });
      return this.settled(watch, (r, answered) => answered || consistent(r, q));
    });
    if (!settled) throw new ScreenMismatchError(SCREEN, `no row or empty state settled after searching for ${query}`);
  }

  /** Searches for `email` and reads its row; null when Hex lists no such user. */
  async find(email: string): Promise<UserRow | null> {
    await this.search(email);
    const row = this.rowFor(email);
    if ((await row.count()) === 0) return null;
    return this.readRow(row.first(), await this.columns());
  }

  /** The users on the page shown now. */
  async readPage(): Promise<UserRow[]> {
    const columns = await this.columns();
    const users: UserRow[] = [];
    for (const row of await this.rows.all()) {
      const user = await this.readRow(row, columns);
      if (user) users.push(user);
    }
    return users;
  }

  /** Goes to the next page of the list; false on the last page. */
  async nextPage(): Promise<boolean> {
    if (!(await this.next.isVisible()) || !(await this.next.isEnabled())) return false;
    const before = (await this.rows.allInnerTexts())[0];
    const moved = await watching(this.page, undefined, async (watch) => {
      await this.next.click({ timeout: this.timeoutMs });
      return this.settled(watch, (r) => r.rows[0] !== undefined && r.rows[0] !== before);
    });
    if (!moved) throw new ScreenMismatchError(SCREEN, 'the next page of the user list did not appear');
    return true;
  }

  /**
   * Chooses `role` in the row's control, confirms the seat dialog when one asks, and reports what
   * the page said. The caller reloads and reads the list back: a failure may have saved anyway.
   */
  async chooseRole(email: string, role: string): Promise<RoleOutcome> {
    const control = this.rowFor(email).getByRole('combobox').first();
    const before = await visibleTexts(this.statuses);
    const native = await control.evaluate((el) => el instanceof HTMLSelectElement, undefined, { timeout: this.timeoutMs });
    if (native) await control.selectOption({ label: role }, { timeout: this.timeoutMs });
    else await this.pickOption(control, role);
    return this.outcome(before);
  }

  /**
   * Opens the combobox and clicks the option. A list redrawn in between (a late answer of the
   * search) closes the listbox: the control is then opened again, a few times at most.
   */
  private async pickOption(control: Locator, role: string): Promise<void> {
    const option = this.page.getByRole('listbox').getByRole('option', { name: named(role) }).first();
    const tryMs = Math.max(1000, Math.floor(this.timeoutMs / PICK_ATTEMPTS));
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await option.isVisible())) await control.click({ timeout: tryMs });
        await option.click({ timeout: tryMs });
        return;
      } catch (error) {
        if (!(error instanceof errors.TimeoutError)) throw error;
        if (attempt >= PICK_ATTEMPTS) throw new ScreenMismatchError(SCREEN, `no option ${role} in the role list of the row`);
      }
    }
  }

  /** The seat confirmation (any dialog with a confirm button), then a fresh status or alert. */
  private async outcome(before: string[]): Promise<RoleOutcome> {
    let confirmed = false;
    const outcome = await pollUntil<RoleOutcome>(async () => {
      await throwIfSignedOut(this.page, SCREEN);
      if (!confirmed) {
        const confirm = await firstVisible(this.dialogs.getByRole('button', { name: CONFIRM }));
        if (confirm) {
          await confirm.click();
          confirmed = true;
          return undefined;
        }
      }
      const fresh = (await visibleTexts(this.statuses)).filter((t) => !before.includes(t) && !/loading/i.test(t));
      const failure = fresh.find((t) => FAILURE.test(t));
      if (failure) return { kind: 'failed', message: failure };
      return fresh[0] ? { kind: 'saved', message: fresh[0] } : undefined;
    }, this.timeoutMs);
    return outcome ?? { kind: 'no-answer' };
  }

  private settled(watch: RequestWatch, accept: (r: Reading, answered: boolean) => boolean) {
    return settle(this.page, watch, { timeoutMs: this.timeoutMs, read: () => this.reading(), key: keyOf, accept });
  }

  private async reading(): Promise<Reading | undefined> {
    await throwIfSignedOut(this.page, SCREEN);
    const shown = await this.list.isVisible();
    const rows = shown ? await this.rows.allInnerTexts() : [];
    const empty = !rows.some((t) => t.includes('@')) && (await emptyStateShown(this.page));
    if (!shown && !empty) return undefined;
    return { rows, empty };
  }

  private rowFor(email: string): Locator {
    return this.rows.filter({ has: cellsOf(this.page, wholeText(email)) });
  }

  private async columns() {
    const { found, missing, names } = await columnIndexes(this.list, COLUMNS);
    if (found.email === undefined || found.role === undefined || found.status === undefined) {
      throw new ScreenMismatchError(SCREEN, `the user list has no ${missing.filter((k) => k !== 'name').join(', ')} column (columns: ${names.join(', ')})`);
    }
    return { email: found.email, role: found.role, status: found.status, name: found.name };
  }

  private async readRow(row: Locator, columns: Awaited<ReturnType<UsersPage['columns']>>): Promise<UserRow | null> {
    const cells = await cellsOf(row).allInnerTexts();
    const email = cells[columns.email]?.trim().toLowerCase();
    if (!email?.includes('@')) return null;
    const control = await row.getByRole('combobox').evaluateAll((els) => els.map((el) => ({
      text: el instanceof HTMLSelectElement ? (el.selectedOptions[0]?.text ?? '') : (el.textContent ?? ''),
      locked: el.getAttribute('aria-disabled') === 'true' || (el as HTMLSelectElement).disabled === true,
    })));
    const status = cells[columns.status] ?? '';
    return {
      email,
      // A "Directory sync" badge may sit in the name cell: it is not part of the name.
      name: columns.name === undefined ? '' : (cells[columns.name] ?? '').replace(/directory sync/i, '').trim(),
      role: (control[0]?.text ?? cells[columns.role] ?? '').trim() || null,
      status: /deactivat|suspend|disabled/i.test(status) ? 'deactivated' : /invit|pending/i.test(status) ? 'invited' : 'active',
      locked: control[0]?.locked ?? true,
    };
  }
}

/** A list that agrees with a search for `q`: every user row matches it, or it shows an empty state. */
function consistent(r: Reading, q: string): boolean {
  const users = r.rows.filter((t) => t.includes('@'));
  return users.length > 0 ? users.every((t) => t.toLowerCase().includes(q)) : r.empty;
}
