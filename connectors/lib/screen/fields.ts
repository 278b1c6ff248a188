/**
 * Tolerant finders for the fields and buttons every admin screen has. Apps word the same field
 * differently ("Email", "Email address", "Email or username", "Username or email"), so each finder
 * matches the documented words with a pattern, by role and accessible name only.
 */
import type { Locator, Page } from 'playwright-core';

type Scope = Page | Locator;

/** Accessible names that mean "who you are": email, username, login. */
export const IDENTITY_NAME = /e-?mail|user ?name|login/i;
export const PASSWORD_NAME = /pass ?(word|phrase)/i;
export const CODE_NAME = /(authentication|verification|security|one-time|2fa|mfa).*code|^\s*code\s*$/i;
export const SUBMIT_LOGIN_NAME = /^\s*(log ?in|sign ?in|continue|next)\s*$/i;
export const VERIFY_NAME = /^\s*(verify|confirm|continue|submit)\s*$/i;

/** Names matched case-insensitively, as whole names: "Settings", "settings", " Settings ". */
export const named = (words: string): RegExp => new RegExp(`^\\s*(${words})\\s*$`, 'i');

/** A textbox whose accessible name mentions email or username. */
export function identityField(scope: Scope): Locator {
  return scope.getByRole('textbox', { name: IDENTITY_NAME });
}

/**
 * The password field. A password input has no ARIA role, so it is found by its label, or else as
 * the form's one input of type password (a semantic attribute, not a class or position).
 */
export function passwordField(scope: Scope): Locator {
  return scope.getByLabel(PASSWORD_NAME).or(scope.locator('input[type="password"]')).first();
}

export function codeField(scope: Scope): Locator {
  return scope.getByRole('textbox', { name: CODE_NAME });
}

export function buttonNamed(scope: Scope, name: RegExp): Locator {
  return scope.getByRole('button', { name });
}

/**
 * Busy indicators as a person sees them: a progressbar (spinner), a status saying "Loading", or a
 * short line of text that says so ("Loading users…"). Located by role and text only, never by
 * markup attributes the real app may spell differently.
 */
export function busyIndicators(scope: Scope): Locator {
  return scope.getByRole('progressbar')
    .or(scope.getByRole('status').filter({ hasText: /loading|searching/i }))
    .or(scope.getByText(/^\s*(loading|searching)\b.{0,40}$/i));
}
