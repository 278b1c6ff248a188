/**
 * The sandbox's knobs: what a test can change while the server runs (spekit.md, "Knobs").
 * Failures and latency are injected here so that every route behaves the same way.
 */
import type { RateLimit } from '../lib/faults.ts';

export interface AdminAccount {
  username: string;
  email: string;
  password: string;
  deactivated?: boolean;
}

export type { RateLimit } from '../lib/faults.ts';

/**
 * How the pages look where spekit.md says nothing (issue 10): each value stays inside the notes
 * (the documented words, roles and messages are always there), but is one of several ways a real
 * Spekit could draw them. The defaults are the sandbox's first choices.
 */
export interface SpekitPresentation {
  /** The login field's label: spekit.md only says "username or email". Default 'Username or email'. */
  loginLabel: 'Username or email' | 'Email or username' | 'Email' | 'Email address' | 'Username';
  /** The login form's submit button. Default 'Log in'. */
  loginButton: 'Log in' | 'Sign in' | 'Continue';
  /** After login: always the dashboard, or the page that was asked for before login. Default 'dashboard'. */
  landing: 'dashboard' | 'requested';
  /** Settings as a link to a Settings page, or a gear button named "Settings" opening a menu. Default 'link'. */
  settings: 'link' | 'gear-button';
  /** Settings → Connect reaches SCIM provisioning by a link, or by a tab of the Connect page. Default 'link'. */
  scimEntry: 'link' | 'tab';
  /** Random class names and ids on every page load. Default false. */
  randomIds: boolean;
  /** The revealed Bearer Token as a read-only input or a read-only textarea. Default 'input'. */
  tokenField: 'input' | 'textarea';
  /** A toast (role alert) from the previous action that lingers for a few seconds across pages. Default false. */
  toast: boolean;
  /** Manage Users as a <table> or an ARIA grid of divs. Default 'table'. */
  usersView: 'table' | 'grid';
  /** An empty list: a row saying so, a sentence under the list, or nothing. Default 'none'. */
  emptyState: 'row' | 'text' | 'none';
  /** Pages show a spinner and draw their content by script after load. Default false. */
  scripted: boolean;
}

export const DEFAULT_PRESENTATION: SpekitPresentation = {
  loginLabel: 'Username or email',
  loginButton: 'Log in',
  landing: 'dashboard',
  settings: 'link',
  scimEntry: 'link',
  randomIds: false,
  tokenField: 'input',
  toast: false,
  usersView: 'table',
  emptyState: 'none',
  scripted: false,
};

export interface SpekitKnobs {
  /** Added to every request. Default 0. */
  latencyMs: number;
  /** Probability (0–1) that a state-changing request fails with 500. Default 0. */
  failureRate: number;
  /** 'after': the change is saved, then the answer is 500 (a Regenerate that still replaced the token). */
  failureTiming: 'before' | 'after';
  /** Which state-changing requests may fail. Default 'all'. */
  failureScope: 'all' | 'ui' | 'scim';
  /** Deterministic failures: the next N state-changing requests in scope fail. Default 0. */
  failureCount: number;
  /** Default true. Without SSO the SCIM step is not offered. */
  ssoConnected: boolean;
  /** Base32 secret; when set, login asks for an authentication code. */
  totpSecret: string | undefined;
  /** Admin session lifetime. Default one hour. */
  sessionLifetimeMs: number;
  /** Default null (no limit). */
  rateLimit: RateLimit | null;
  /** Largest SCIM page the server returns whatever `count` asks. Default 100. */
  maxPageSize: number;
  admin: AdminAccount;
  /** Presentation where the notes leave it open (see variants.ts for the named presets). */
  presentation: SpekitPresentation;
}

export const DEFAULT_KNOBS: SpekitKnobs = {
  latencyMs: 0,
  failureRate: 0,
  failureTiming: 'before',
  failureScope: 'all',
  failureCount: 0,
  ssoConnected: true,
  totpSecret: undefined,
  sessionLifetimeMs: 60 * 60 * 1000,
  rateLimit: null,
  maxPageSize: 100,
  admin: { username: 'admin', email: 'admin@example.com', password: 'correct horse battery staple' },
  presentation: DEFAULT_PRESENTATION,
};

export type { FailureScope } from '../lib/faults.ts';
// Failure injection and the rate limiter are shared with the other sandboxes.
export { shouldFail, withFailure, WindowLimiter } from '../lib/faults.ts';
