/**
 * The sandbox's frame and sign-in pages. Markup is accessible on purpose (labels, roles, headings,
 * named navigation) so that page objects locate everything as a person would.
 */
import { clientScript, INLINE_SIGN_IN } from './client.ts';
import * as p from './presentation.ts';
import { esc, type PageView } from './presentation.ts';

export const MESSAGES = {
  badLogin: 'The email or password is incorrect.',
  badCode: 'That code is incorrect. Try again.',
  failed: 'Something went wrong. Please try again.',
  ssoOn: 'Single sign-on is enabled',
  ssoOff: 'Single sign-on is not configured',
  configureSso: 'Configure single sign-on before you turn on provisioning.',
  copyNow: "Copy the bearer token now. You won't be able to see it again.",
  tokenLimit: 'You can have up to two tokens. Delete one to create another.',
  deleteToken: 'Identity providers using this token will stop provisioning immediately.',
  deleteUser: "This can't be undone. Their activity history is kept.",
} as const;

export { esc };

export function layout(title: string, body: string, view: PageView, signedIn = true): string {
  const nav = signedIn
    ? `<header><nav aria-label="Main"><a href="/overview">Overview</a> <a href="/programs">Programs</a> <a href="/settings">Settings</a></nav>
<form method="post" action="/logout"><button type="submit">Sign out</button></form></header>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Hyperproof</title></head>
<body>${nav}${p.toast(view)}<div id="${p.idFor(view, 'hp-alerts')}"></div>${p.mainContent(view, body)}${clientScript(view)}</body></html>`;
}

export function alert(message: string | undefined): string {
  return message ? `<div role="alert">${esc(message)}</div>` : '';
}

function nextField(view: PageView): string {
  return view.next ? `<input type="hidden" name="next" value="${esc(view.next)}">` : '';
}

/** Step one: Email address, Continue. In 'inline' sign-in the password step is on the same page. */
export function emailPage(view: PageView, message?: string, email = ''): string {
  const e = p.idFor(view, 'email');
  if (view.presentation.signIn === 'inline') return inlinePage(view, message, email);
  return layout('Sign in', `<h1>Sign in to Hyperproof</h1>${alert(message)}
<form method="post" action="/login">${nextField(view)}
  <label for="${e}">Email address</label> <input id="${e}" name="email" type="email" autocomplete="username" value="${esc(email)}">
  <button type="submit">Continue</button>
</form>`, view, false);
}

/** Step two: "Signing in as <email>", Password, Sign in. */
export function passwordPage(view: PageView, email: string, message?: string): string {
  const pw = p.idFor(view, 'password');
  return layout('Sign in', `<h1>Sign in to Hyperproof</h1>${alert(message)}
<form method="post" action="/login/password">${nextField(view)}<input type="hidden" name="email" value="${esc(email)}">
  <p>Signing in as ${esc(email)}</p> <a href="/login">Use a different email</a>
  <label for="${pw}">Password</label> <input id="${pw}" name="password" type="password" autocomplete="current-password">
  <button type="submit">Sign in</button>
</form>`, view, false);
}

function inlinePage(view: PageView, message: string | undefined, email: string): string {
  const e = p.idFor(view, 'email');
  const pw = p.idFor(view, 'password');
  const second = email !== '';
  return layout('Sign in', `<h1>Sign in to Hyperproof</h1>${alert(message)}${INLINE_SIGN_IN}
<form method="post" action="/login/password" onsubmit="hpContinue(event)">${nextField(view)}
  <div id="hp-step1"${second ? ' hidden' : ''}><label for="${e}">Email address</label> <input id="${e}" name="email" type="email" autocomplete="username" value="${esc(email)}">
  <button type="submit">Continue</button></div>
  <div id="hp-step2"${second ? '' : ' hidden'}><p id="hp-as">Signing in as ${esc(email)}</p>
  <label for="${pw}">Password</label> <input id="${pw}" name="password" type="password" autocomplete="current-password"${second ? '' : ' disabled'}>
  <button type="submit">Sign in</button></div>
</form>`, view, false);
}

export function totpPage(view: PageView, message?: string): string {
  const c = p.idFor(view, 'code');
  return layout('Two-step verification', `<h1>Two-step verification</h1>${alert(message)}
<form method="post" action="/login/verify">
  <label for="${c}">Verification code</label> <input id="${c}" name="code" inputmode="numeric" autocomplete="one-time-code">
  <button type="submit">Verify</button>
</form>`, view, false);
}

export function overviewPage(view: PageView): string {
  return layout('Overview', '<h1>Overview</h1><p>Your programs, controls and tasks at a glance.</p>', view);
}

export function programsPage(view: PageView): string {
  return layout('Programs', '<h1>Programs</h1><p>SOC 2, ISO 27001.</p>', view);
}

export type SettingsSection = 'People' | 'Authentication' | 'Integrations' | null;

/** Settings' own navigation: People, Authentication, Integrations. */
export function settingsLayout(view: PageView, section: SettingsSection, body: string): string {
  const link = (name: Exclude<SettingsSection, null>, href: string) =>
    `<a href="${href}"${section === name ? ' aria-current="page"' : ''}>${name}</a>`;
  const nav = `<nav aria-label="Settings">${link('People', '/settings/people')} ${link('Authentication', '/settings/authentication')} ${link('Integrations', '/settings/integrations')}</nav>`;
  return layout(section ?? 'Settings', `${nav}<h1>${section ?? 'Settings'}</h1>${body}`, view);
}

export function settingsPage(view: PageView): string {
  return settingsLayout(view, null, '<p>Manage your organization.</p>');
}

/** A read-only field with a Copy button. */
export function readOnly(view: PageView, name: string, label: string, value: string, copy = false): string {
  const id = p.idFor(view, name);
  const button = copy ? ` <button type="button" onclick="hp.copy('${name}')">Copy</button>` : '';
  return `<label for="${id}">${esc(label)}</label> <input id="${id}" readonly value="${esc(value)}" size="64">${button}`;
}

/** Integrations → API Tokens: REST tokens, which SCIM refuses. */
export function integrationsPage(view: PageView, revealed?: string): string {
  const shown = revealed ? `<p>${readOnly(view, 'rest-token', 'API token', revealed)}</p><p>Copy the token now.</p>` : '';
  return settingsLayout(view, 'Integrations', `<section aria-labelledby="api-h"><h2 id="api-h">API Tokens</h2>${shown}
<form method="post" action="/settings/integrations/api-tokens"><button type="submit">New API token</button></form></section>`);
}
