/**
 * Server-rendered pages of the Hex sandbox (hex.md): login, the side panel, Settings with its
 * navigation, Groups and Authentication (SSO, SCIM token). The Users page is users-page.ts.
 */
import * as p from './presentation.ts';
import { esc, type PageView } from './presentation.ts';
import { displayNameOf, type HexState } from './state.ts';

export const MESSAGES = {
  badLogin: 'Incorrect email or password.',
  badCode: 'Invalid code. Try again.',
  teamPlan: 'SCIM provisioning is available on the Enterprise plan.',
  ssoRequired: 'Configure SSO before enabling SCIM provisioning.',
  noToken: 'No SCIM token has been generated.',
  regenerateTitle: 'Regenerate SCIM token?',
  regenerateWarning: 'The current token stops working immediately.',
  tokenTitle: 'Your SCIM token',
  shownOnce: "Copy this token now. You won't be able to see it again.",
  tokenFailed: "Couldn't generate a SCIM token. Try again.",
  roleFailed: "Couldn't update the role. Try again.",
} as const;

export { esc };

export function layout(title: string, body: string, view: PageView, signedIn = true): string {
  const side = signedIn
    ? `<aside aria-label="Side panel"><nav aria-label="Main"><a href="/home">Projects</a> <a href="/home">Explore</a></nav>
<div${p.cls(view, 'bottom')}>${p.settingsEntry(view)}</div></aside>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Hex</title></head>
<body>${side}${p.toast(view)}<main>${body}</main></body></html>`;
}

const alert = (message?: string) => (message ? `<p role="alert">${esc(message)}</p>` : '');

export function loginPage(view: PageView, next: string | undefined, message?: string): string {
  const email = p.idFor(view, 'email');
  const password = p.idFor(view, 'password');
  const hidden = next ? `<input type="hidden" name="next" value="${esc(next)}">` : '';
  return layout('Log in', `<h1>Log in to Hex</h1>${alert(message)}
<form method="post" action="/login">${hidden}
  <label for="${email}">${view.presentation.loginLabel}</label> <input id="${email}" name="email" type="email" autocomplete="username">
  <label for="${password}">Password</label> <input id="${password}" name="password" type="password" autocomplete="current-password">
  <button type="submit">${view.presentation.loginButton}</button>
</form><p><a href="/login/sso">Log in with SSO</a></p>`, view, false);
}

export function totpPage(view: PageView, message?: string): string {
  const code = p.idFor(view, 'code');
  return layout('Two-factor authentication', `<h1>Two-factor authentication</h1>${alert(message)}
<form method="post" action="/login/2fa">
  <label for="${code}">Authentication code</label> <input id="${code}" name="code" inputmode="numeric" autocomplete="one-time-code">
  <button type="submit">${p.words(view).verify}</button>
</form>`, view, false);
}

export function homePage(view: PageView): string {
  return layout('Projects', '<h1>Projects</h1><p>Your projects and components.</p>', view);
}

/** Settings' own navigation (hex.md: Users, Groups, Authentication under "Access & Security"). */
function settingsLayout(title: string, body: string, view: PageView): string {
  return layout(title, `<nav aria-label="Settings"><h2>Access &amp; Security</h2>
<a href="/settings/users">Users</a> <a href="/settings/groups">Groups</a> <a href="/settings/authentication">Authentication</a></nav>
<section>${body}</section>`, view);
}

export function settingsPage(view: PageView): string {
  return settingsLayout('Settings', '<h1>Settings</h1><p>Workspace: Acme</p>', view);
}

export function groupsPage(view: PageView, state: HexState): string {
  const rows = [...state.groups.values()].map((g) => `<tr><td>${esc(g.displayName)}</td><td>${g.members.length}</td>
<td>${esc(g.members.map((id) => state.users.get(id)).map((u) => (u ? displayNameOf(u) : '')).join(', '))}</td></tr>`).join('');
  return settingsLayout('Groups', `<h1>Groups</h1><button type="button">+ Group</button>
<table aria-label="Groups"><thead><tr><th>Name</th><th>Members</th><th>People</th></tr></thead><tbody>${rows}</tbody></table>`, view);
}

export function ssoTab(view: PageView, ssoEnabled: boolean): string {
  return settingsLayout('Authentication', `<h1>Authentication</h1>${p.authTabs(view, 'sso')}
<div${view.presentation.authTabs === 'tabs' ? ' role="tabpanel"' : ''}><h2>SSO</h2><p>${ssoEnabled ? 'SSO is enabled' : 'SSO is not configured'}</p></div>`, view);
}

export interface ScimTabView {
  /** Why SCIM is not offered (plan, SSO), or undefined. */
  blocked?: string;
  baseUrl: string;
  token: { createdAt: string; createdBy: string } | null;
  /** The plaintext token, only in the answer to Generate / Regenerate. */
  revealed?: string;
  error?: string;
}

function tokenDialog(view: PageView, token: string): string {
  const field = p.idFor(view, 'scim-token');
  const w = p.words(view);
  return p.dialog(view, p.idFor(view, 'token-dialog'), MESSAGES.tokenTitle, `
<label for="${field}">SCIM token</label> <input id="${field}" readonly value="${esc(token)}" size="70">
<p>${MESSAGES.shownOnce}</p>
<button type="button" onclick="navigator.clipboard?.writeText(document.getElementById('${field}').value).catch(()=>{})">Copy</button>
<button type="button" onclick="this.closest('dialog').close()">${w.done}</button>`, true);
}

function tokenState(view: PageView, scim: ScimTabView): string {
  const w = p.words(view);
  if (!scim.token) {
    return `<p>${MESSAGES.noToken}</p><form method="post" action="/settings/authentication/scim/token">
<input type="hidden" name="action" value="generate"><button type="submit">${w.generate}</button></form>`;
  }
  const confirm = p.idFor(view, 'regenerate');
  return `<p>Token generated <time datetime="${esc(scim.token.createdAt)}">${esc(scim.token.createdAt)}</time> by ${esc(scim.token.createdBy)}</p>
<button type="button" onclick="document.getElementById('${confirm}').showModal()">${w.regenerate}</button>
${p.dialog(view, confirm, MESSAGES.regenerateTitle, `<p>${MESSAGES.regenerateWarning}</p>
<form method="post" action="/settings/authentication/scim/token"><input type="hidden" name="action" value="regenerate">
<button type="submit">${w.confirmRegenerate}</button> <button type="button" onclick="this.closest('dialog').close()">Cancel</button></form>`)}`;
}

export function scimTab(view: PageView, scim: ScimTabView): string {
  const base = p.idFor(view, 'base-url');
  const content = scim.blocked
    ? `<p role="status">${esc(scim.blocked)}</p>`
    : `${alert(scim.error)}<label for="${base}">SCIM base URL</label> <input id="${base}" readonly value="${esc(scim.baseUrl)}" size="60">
<p>Unique identifier: userName</p>${tokenState(view, scim)}${scim.revealed ? tokenDialog(view, scim.revealed) : ''}`;
  return settingsLayout('Authentication', `<h1>Authentication</h1>${p.authTabs(view, 'scim')}
<div${view.presentation.authTabs === 'tabs' ? ' role="tabpanel"' : ''}><h2>SCIM</h2>${content}</div>`, view);
}

export function errorPage(view: PageView, message: string): string {
  return layout('Error', `<h1>Something went wrong</h1>${alert(message)}<p><a href="/settings/authentication/scim">Back</a></p>`, view);
}
