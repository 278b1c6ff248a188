/**
 * UXPin's team screen, User Management tab: search, the paged member list (a <table> or an ARIA
 * grid), per-row role select and three-dot menu. Columns are found by their header text, never by
 * position in the markup. A search counts as finished by the app's own signals (the request that
 * carries the query answered, nothing busy, the list unchanged for a moment), so "nobody matches"
 * needs no "No users found" row: an empty list, a sentence anywhere on the page, or nothing at all.
 */
import type { Locator, Page } from 'playwright-core';
import { RateLimitedError, ScreenMismatchError, SessionExpiredError, TransientAppError } from '../../../core/errors.ts';
import { passwordField } from '../../lib/screen/fields.ts';
import { cellsOf, columnIndexes, dataRows, listWithColumn } from '../../lib/screen/list.ts';
import { pollUntil, SIGNAL_INTERVALS_MS, visibleText } from '../../lib/screen/poll.ts';
import { watching, type RequestWatch } from '../../lib/screen/request-watch.ts';
import { emptyStateShown, settle } from '../../lib/screen/settle.ts';
import { wholeText, type ActionOutcome } from '../support.ts';
import { AddUsersDialog } from './add-users.dialog.ts';
import { RemoveUserDialog } from './remove-user.dialog.ts';

export interface TeamRow {
  email: string;
  name: string;
  role: string | null;
  status: 'active' | 'pending';
}

const SCREEN = 'UXPin team page';
const COLUMNS = { name: /^\s*(full )?name\s*$/i, email: /e-?mail/i, role: /role/i, status: /status/i };
type Columns = { name?: number; email: number; role: number; status: number };

/** What the list shows: the text of each data row, and whether an empty-state text is on the page. */
interface Reading {
  rows: string[];
  empty: boolean;
}

const keyOf = (r: Reading) => `${r.empty}|${r.rows.join('\u0000')}`;

/**
 * After a write the app answered, how long the page may stay quiet before we conclude it will not
 * fetch the list again by itself (then the connector searches again instead).
 */
const RELIST_GRACE_MS = 400;
/**
 * Quiet time after the app's own re-read has answered: the list is drawn straight from that answer,
 * so a moment without change suffices (a search keeps settle's longer default: a page load there
 * may still start the list's own fetch).
 */
const RELIST_QUIET_MS = 60;

export class TeamPage {
  private readonly searchBox: Locator;
  private readonly list: Locator;
  private readonly rows: Locator;
  private readonly next: Locator;
  private readonly addUsers: Locator;
  private readonly password: Locator;
  private readonly alerts: Locator;
  /** What a fresh load would clear, or the login: a dialog, an open menu, an error message, a password field. */
  private readonly leftovers: Locator;

  constructor(private readonly page: Page, private readonly url: string, private readonly timeoutMs: number) {
    this.searchBox = page.getByRole('searchbox', { name: /search/i }).or(page.getByRole('textbox', { name: /search/i })).first();
    this.list = listWithColumn(page, /^\s*e-?mail( address)?\s*$/i);
    this.rows = dataRows(this.list, page);
    const nextName = /^\s*next( page)?\s*$/i;
    this.next = page.getByRole('button', { name: nextName }).or(page.getByRole('link', { name: nextName })).first();
    this.addUsers = page.getByRole('button', { name: /add (new )?(users|members)|invite (users|members)/i }).first();
    this.password = passwordField(page);
    this.alerts = page.getByRole('alert');
    this.leftovers = page.getByRole('dialog').or(page.getByRole('alertdialog')).or(page.getByRole('menu'))
      .or(this.alerts.filter({ hasText: /\S/ })).or(this.password).filter({ visible: true });
  }

  /**
   * Whether the page already shows this screen ready to search in: the team page's address (any
   * query), logged in, the member list or an empty state on screen, and nothing left over from an
   * earlier action (an open dialog or menu, an error message) that a fresh load would clear.
   */
  async isOpen(): Promise<boolean> {
    if (this.page.isClosed()) return false;
    const here = new URL(this.page.url());
    const want = new URL(this.url);
    if (here.origin !== want.origin || here.pathname !== want.pathname) return false;
    // One round trip for everything that rules the page out, one for the list: this runs before every search.
    if ((await this.leftovers.count()) > 0) return false;
    return (await this.list.isVisible()) || (await emptyStateShown(this.page));
  }

  /** Loads the team screen afresh; landing on the login screen means the session has expired. */
  async open(): Promise<void> {
    const settled = await watching(this.page, undefined, async (watch) => {
      const response = await this.page.goto(this.url, { timeout: this.timeoutMs });
      if (response?.status() === 429) throw rateLimited(response.headers()['retry-after']);
      if (response && response.status() >= 500) throw new TransientAppError(`UXPin's team page answered ${response.status()}`);
      return this.settled(watch, () => true);
    });
    if (!settled) throw new ScreenMismatchError(SCREEN, 'no member list (a table or grid with an Email column) appeared');
  }

  /**
   * Filters the list with the search box and waits until the app has answered and the list has
   * settled. Without a visible answer (an app filtering in place) only a list consistent with the
   * query counts: every row matching, or an empty state.
   */
  async search(query: string): Promise<void> {
    const q = query.trim().toLowerCase();
    const settled = await watching(this.page, query.trim(), async (watch) => {
      await this.searchBox.fill(query, { timeout: this.timeoutMs });
      await this.searchBox.press('Enter');
      return this.settled(watch, (r, answered) => answered || consistent(r, q));
    });
    if (!settled) throw new ScreenMismatchError(SCREEN, `no row or empty-state appeared after searching for ${query}`);
  }

  /** Searches for `email` and reads its row; null when UXPin lists no such member. */
  async find(email: string): Promise<TeamRow | null> {
    await this.search(email);
    return this.rowShown(email);
  }

  /** The row of `email` in the list as it is on screen now (settled by the caller), or null. */
  async rowShown(email: string): Promise<TeamRow | null> {
    const row = this.rowFor(email);
    if ((await row.count()) === 0) return null;
    return this.readRow(row.first(), await this.columns());
  }

  /** The members on the page shown now. */
  async readPage(): Promise<TeamRow[]> {
    const columns = await this.columns();
    // All rows at once: one page is 25 rows of two reads each, and one after another they cost a
    // browser round trip each (seconds per page on a loaded machine, issue 16's member-list walk).
    const users = await Promise.all((await this.rows.all()).map((row) => this.readRow(row, columns)));
    return users.filter((user): user is TeamRow => user !== null);
  }

  /** Goes to the next page of the list; false on the last page. */
  async nextPage(): Promise<boolean> {
    if (!(await this.next.isVisible()) || !(await this.next.isEnabled())) return false;
    const before = (await this.rows.allInnerTexts())[0];
    const moved = await watching(this.page, undefined, async (watch) => {
      await this.next.click({ timeout: this.timeoutMs });
      return this.settled(watch, (r) => r.rows[0] !== undefined && r.rows[0] !== before);
    });
    if (!moved) throw new ScreenMismatchError(SCREEN, 'the next page of the member list did not appear');
    return true;
  }

  /**
   * Picks a role in the row's select (UXPin saves on change). Done once the app has answered the
   * save, not when a "Role updated" shows: a message can linger from the action before.
   */
  async chooseRole(email: string, role: string): Promise<ActionOutcome> {
    const select = this.rowFor(email).getByRole('combobox').first();
    return watching(this.page, undefined, async (watch) => {
      await select.selectOption({ label: role }, { timeout: this.timeoutMs });
      const outcome = await pollUntil<ActionOutcome>(async () => {
        const message = await visibleText(this.alerts);
        if (message) return { kind: 'alert', message };
        return watch.answered && !watch.busy && Date.now() - watch.lastActivity > 100 ? { kind: 'done' } : undefined;
      }, this.timeoutMs, SIGNAL_INTERVALS_MS);
      return outcome ?? { kind: 'no-answer' };
    });
  }

  /**
   * Three-dot menu → Remove from team → confirm. With `relist` (default), then waits for the list
   * the app fetches again by itself (see withRelist); a script that reads nothing back passes false.
   */
  async removeUser(email: string, { relist = true } = {}): Promise<ActionOutcome> {
    const remove = async () => {
      await this.rowFor(email).getByRole('button', { name: /^\s*more actions/i }).click({ timeout: this.timeoutMs });
      await this.page.getByRole('menuitem', { name: /remove/i }).first().click({ timeout: this.timeoutMs });
      return new RemoveUserDialog(this.page, email, this.timeoutMs).confirm();
    };
    return relist ? this.withRelist(email, remove) : remove();
  }

  /**
   * Runs a write about `email` (UXPin redraws the list after a removal or an invitation). Once the
   * app has answered it, waits for the list the app fetches again by itself: `relisted` then says
   * the page shows the app's own read-back of `email`, and no reload or second search is needed.
   */
  async withRelist(email: string, write: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
    return watching(this.page, email, async (watch) => {
      const outcome = await write();
      return outcome.kind === 'done' ? { ...outcome, relisted: await this.relisted(watch) } : outcome;
    });
  }

  /**
   * Whether the app read the list again after its answer to the write (a GET carrying the address)
   * and the list has settled; false when the page stayed quiet without such a read.
   */
  private async relisted(watch: RequestWatch): Promise<boolean> {
    const settled = await this.settled(watch, () => watch.reread || Date.now() - watch.lastActivity > RELIST_GRACE_MS, RELIST_QUIET_MS);
    return settled !== undefined && watch.reread;
  }

  async openAddUsers(): Promise<AddUsersDialog> {
    await this.addUsers.click({ timeout: this.timeoutMs });
    const dialog = new AddUsersDialog(this.page, this.timeoutMs);
    await dialog.waitOpen();
    return dialog;
  }

  private settled(watch: RequestWatch, accept: (r: Reading, answered: boolean) => boolean, quietMs?: number) {
    return settle(this.page, watch, { timeoutMs: this.timeoutMs, read: () => this.reading(), key: keyOf, accept, ...(quietMs === undefined ? {} : { quietMs }) });
  }

  /** The list or an empty state; throws when UXPin has sent us to its login screen instead. */
  private async reading(): Promise<Reading | undefined> {
    if (await this.password.isVisible()) throw new SessionExpiredError('UXPin showed its login screen instead of the team page');
    const shown = await this.list.isVisible();
    const rows = shown ? await this.rows.allInnerTexts() : [];
    // Member rows answer the question; the empty-state text is looked for only when there are none.
    const empty = !rows.some((t) => t.includes('@')) && (await emptyStateShown(this.page));
    if (!shown && !empty) return undefined;
    return { rows, empty };
  }

  private rowFor(email: string): Locator {
    return this.rows.filter({ has: cellsOf(this.page, wholeText(email)) });
  }

  private async columns(): Promise<Columns> {
    const { found, missing, names } = await columnIndexes(this.list, COLUMNS);
    const needed = missing.filter((k) => k !== 'name');
    if (needed.length > 0 || found.email === undefined || found.role === undefined || found.status === undefined) {
      throw new ScreenMismatchError(SCREEN, `the member list has no ${needed.join(', ')} column (columns: ${names.join(', ')})`);
    }
    return { email: found.email, role: found.role, status: found.status, ...(found.name === undefined ? {} : { name: found.name }) };
  }

  private async readRow(row: Locator, columns: Columns): Promise<TeamRow | null> {
    const cells = await cellsOf(row).allInnerTexts();
    const email = cells[columns.email]?.trim().toLowerCase();
    if (!email?.includes('@')) return null;
    return {
      email,
      name: columns.name === undefined ? '' : (cells[columns.name]?.trim() ?? ''),
      role: await this.roleIn(row, cells[columns.role]),
      status: /pending|invit/i.test(cells[columns.status] ?? '') ? 'pending' : 'active',
    };
  }

  /** The role select's chosen option; a row without a select shows the role as text. */
  private async roleIn(row: Locator, cellText: string | undefined): Promise<string | null> {
    const [chosen] = await row.getByRole('combobox').evaluateAll((selects) => selects.map((el) =>
      el instanceof HTMLSelectElement ? (el.selectedOptions[0]?.text ?? null) : el.textContent));
    if (chosen === undefined) return cellText?.trim() || null;
    return chosen?.trim() || null;
  }
}

/** A list that agrees with a search for `q`: every member row matches it, or it shows an empty state. */
function consistent(r: Reading, q: string): boolean {
  const members = r.rows.filter((t) => t.includes('@'));
  return members.length > 0 ? members.every((t) => t.toLowerCase().includes(q)) : r.empty;
}

/** UXPin asked us to slow down: the runner pauses the whole connection for its Retry-After. */
function rateLimited(retryAfter: string | undefined): RateLimitedError {
  const seconds = Number(retryAfter);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Math.max(0, Date.parse(retryAfter ?? '') - Date.now()) || 0;
  return new RateLimitedError(`UXPin's team page answered 429 (too many requests)`, ms);
}
