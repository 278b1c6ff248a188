/**
 * The Hex sandbox's knobs (hex.md, "knob"): what a test can change while the server runs, and the
 * presentation where hex.md is the sandbox's own choice rather than Hex's documented words.
 */
import type { FaultKnobs, RateLimit } from '../lib/faults.ts';
import type { HexRole, SeedUser } from './state.ts';

export interface AdminAccount {
  email: string;
  password: string;
  name: string;
}

/**
 * How the pages look where hex.md only records the sandbox's choice. Every value keeps the
 * documented things (role names, Settings → Users / Authentication → SCIM, the field names
 * Email, Password, Authentication code, SCIM token, Search users, `Role for <email>`), but words
 * buttons, messages and layout one of several ways a real Hex could. Defaults: hex.md's wording.
 */
export interface HexPresentation {
  /** Login submit. Default 'Log in'. */
  loginButton: 'Log in' | 'Sign in' | 'Continue';
  /** The login identity field. Default 'Email'. */
  loginLabel: 'Email' | 'Email address' | 'Work email';
  /** Settings at the bottom of the side panel: a link, or a button opening a menu with Settings. Default 'link'. */
  settingsEntry: 'link' | 'menu';
  /** Authentication's SSO / SCIM switch: ARIA tabs, or links in a sub-navigation. Default 'tabs'. */
  authTabs: 'tabs' | 'links';
  /** Generate / Regenerate / confirm / Done words. Default 'plain' (hex.md's). */
  tokenWords: 'plain' | 'verbose';
  /** The Users list as a <table> or an ARIA grid of divs. Default 'table'. */
  usersView: 'table' | 'grid';
  /** A search with no match: a row, a sentence under the list, or nothing. Default 'row'. */
  emptyState: 'row' | 'text' | 'none';
  /** While the list loads: the status text "Loading users…" or a progressbar spinner. Default 'text'. */
  loading: 'text' | 'spinner';
  /** Extra delay before the list's data arrives. Default 0. */
  listDelayMs: number;
  /** Search applies this long after typing; old rows stay till then. Default 300. */
  searchDebounceMs: number;
  /** The role control: a button with role combobox and a listbox, or a native <select>. Default 'listbox'. */
  roleControl: 'listbox' | 'select';
  /** Role saved message: "Role updated", "Role changed to <Role>", "Saved". Default 'Role updated'. */
  roleSaved: 'Role updated' | 'Role changed' | 'Saved';
  /** Seat confirmation as role dialog or alertdialog, and its confirm button's words. Default 'dialog'. */
  confirmDialog: 'dialog' | 'alertdialog';
  /** Messages stay until the next action (and across pages for a few seconds) or vanish after ~1.5 s. Default false. */
  lingeringToast: boolean;
  /** Random ids and class names on every page load. Default false. */
  randomIds: boolean;
  /** Users per page (hex.md: 25). Default 25. */
  usersPageSize: number;
}

export const DEFAULT_PRESENTATION: HexPresentation = {
  loginButton: 'Log in',
  loginLabel: 'Email',
  settingsEntry: 'link',
  authTabs: 'tabs',
  tokenWords: 'plain',
  usersView: 'table',
  emptyState: 'row',
  loading: 'text',
  listDelayMs: 0,
  searchDebounceMs: 300,
  roleControl: 'listbox',
  roleSaved: 'Role updated',
  confirmDialog: 'dialog',
  lingeringToast: false,
  randomIds: false,
  usersPageSize: 25,
};

export interface HexKnobs extends FaultKnobs {
  /** 'Team': no SCIM ("SCIM provisioning is available on the Enterprise plan."). Default 'Enterprise'. */
  plan: 'Enterprise' | 'Team';
  /** SSO switched on in Settings → Security. Default false. */
  ssoEnabled: boolean;
  /** SCIM refuses to start without SSO (no Hex page says so: a knob). Default false. */
  ssoRequired: boolean;
  /** Free → paid role changes ask "Change role to <Role>?" first. Default true. */
  seatConfirmation: boolean;
  /** A `roles` (or role-like) attribute over SCIM: silently dropped, or 400 mutability. Default 'drop'. */
  scimRoles: 'drop' | 'refuse';
  /** The role a SCIM-created user gets. Default 'Viewer'. */
  defaultRole: HexRole;
  /** 429 without Retry-After once exceeded. Default null. */
  rateLimit: RateLimit | null;
  /** Added to every request. Default 0. */
  latencyMs: number;
  /** Base32; when set, login asks for an authentication code. */
  totpSecret: string | undefined;
  /** Admin session lifetime. Default one hour. */
  sessionLifetimeMs: number;
  /** SCIM `count` cap and default (hex.md: 100, 50). */
  maxPageSize: number;
  defaultPageSize: number;
  admin: AdminAccount;
  presentation: HexPresentation;
}

export const DEFAULT_KNOBS: HexKnobs = {
  plan: 'Enterprise',
  ssoEnabled: false,
  ssoRequired: false,
  seatConfirmation: true,
  scimRoles: 'drop',
  defaultRole: 'Viewer',
  rateLimit: null,
  latencyMs: 0,
  failureRate: 0,
  failureTiming: 'before',
  failureScope: 'all',
  failureCount: 0,
  totpSecret: undefined,
  sessionLifetimeMs: 60 * 60 * 1000,
  maxPageSize: 100,
  defaultPageSize: 50,
  admin: { email: 'admin@example.com', password: 'correct horse battery staple', name: 'Ada Admin' },
  presentation: DEFAULT_PRESENTATION,
};

export type { SeedUser };
