/**
 * Presentation knobs: what shared/apps/uxpin.md leaves open, varied so that a connector relying on
 * one sandbox's choice fails. Every value stays inside the documented screens (same labels, roles
 * and messages); only how they are drawn changes. Presets combining them live in variants.ts.
 */

export const LOGIN_LABELS = ['Email', 'Email address', 'Email or username', 'Username or email'] as const;

export interface Presentation {
  /** A search matching nobody: a "No users found" row, a sentence outside the table, or nothing at all. */
  emptyState: 'row' | 'text' | 'none';
  /** The member list as a real <table> or as an ARIA grid of divs (role=grid/row/gridcell/columnheader). */
  listMarkup: 'table' | 'grid';
  /**
   * 0: the search box submits its form (a page load). Above 0: the list filters in place this long
   * after typing or Enter (a fetch), and the old rows stay on screen meanwhile.
   */
  searchDebounceMs: number;
  /** The list is fetched and drawn by script after the page has loaded, not sent in its HTML. */
  scriptedList: boolean;
  /** Every id and class name gets a random suffix on every page load. */
  randomIds: boolean;
  /** Role <option> values: the role name itself, or an opaque code ("r4") differing from the label. */
  optionValues: 'label' | 'code';
  /** The last success message ("Role updated", "User removed") stays on screen, across page loads. */
  lingeringToast: boolean;
  /** The login screen's label for the account field. */
  loginLabel: (typeof LOGIN_LABELS)[number];
  /** After login: the Dashboard, or the page asked for (the one that sent the browser to /login; else the team page). */
  loginLanding: 'dashboard' | 'asked';
}

export const DEFAULT_PRESENTATION: Presentation = {
  emptyState: 'row',
  listMarkup: 'table',
  searchDebounceMs: 0,
  scriptedList: false,
  randomIds: false,
  optionValues: 'label',
  lingeringToast: false,
  loginLabel: 'Email',
  loginLanding: 'dashboard',
};
