/**
 * Server-rendered pages of the Spekit sandbox. Markup is accessible on purpose (labels, roles,
 * headings) so page objects can locate everything as a person would.
 */
import { DEFAULT_PRESENTATION } from './knobs.ts';
import * as p from './presentation.ts';
import { esc, type PageView } from './presentation.ts';
import type { SandboxTeam, SandboxUser, SpekitState } from './state.ts';
import { userStatus } from './state.ts';

export const MESSAGES = {
  unknownUser: "This email address or username isn't associated with a Spekit account. Please try again.",
  wrongPassword: 'The password you entered is incorrect. Please try again.',
  deactivated: 'This Spekit account has been deactivated.',
  badCode: 'That authentication code is not valid. Please try again.',
  expired: 'Your session has expired. Please log in again.',
  ssoRequired: 'Set up SSO before enabling SCIM provisioning',
  shownOnce: 'This token will only be shown once',
  confirmRegenerate: 'The current token will stop working immediately. Continue?',
  failed: 'Something went wrong. Please try again.',
  tokenExists: 'A token already exists. Use Regenerate token instead.',
} as const;

export { esc };
export type { PageView };

/** The sandbox's own look (DEFAULT_PRESENTATION), for pages rendered outside a request. */
export const PLAIN: PageView = { presentation: DEFAULT_PRESENTATION };

export function layout(title: string, body: string, view: PageView, signedIn = true): string {
  const nav = signedIn
    ? `<header><nav aria-label="Main"><a href="/app">Home</a> ${p.settingsControl(view)}</nav></header>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Spekit</title></head>
<body>${nav}${p.toast(view)}${p.mainContent(view, body)}</body></html>`;
}

function alert(message: string | undefined): string {
  return message ? `<p role="alert">${esc(message)}</p>` : '';
}

export function loginPage(view: PageView, message?: string): string {
  const { loginLabel, loginButton } = view.presentation;
  const login = p.idFor(view, 'login');
  const password = p.idFor(view, 'password');
  const next = view.next ? `<input type="hidden" name="next" value="${esc(view.next)}">` : '';
  return layout('Log in', `<h1>Log in to Spekit</h1>${alert(message)}
<form method="post" action="/login">${next}
  <label for="${login}">${loginLabel}</label> <input id="${login}" name="login" autocomplete="username">
  <label for="${password}">Password</label> <input id="${password}" name="password" type="password" autocomplete="current-password">
  <a href="/login/forgot">Forgot password?</a>
  <button type="submit">${loginButton}</button>
</form>
<p><a href="/login/salesforce">Log in with Salesforce</a> <a href="/login/sso">Log in with SSO</a></p>`, view, false);
}

export function totpPage(view: PageView, message?: string): string {
  const code = p.idFor(view, 'code');
  return layout('Verify', `<h1>Two-step verification</h1>${alert(message)}
<form method="post" action="/login/verify">
  <label for="${code}">Authentication code</label> <input id="${code}" name="code" inputmode="numeric" autocomplete="one-time-code">
  <button type="submit">Verify</button>
</form>`, view, false);
}

export function homePage(view: PageView): string {
  return layout('Home', '<h1>Welcome to Spekit</h1><p>Your Speks, Flows and Topics.</p>', view);
}

export function settingsPage(view: PageView): string {
  return layout('Settings', `<h1>Settings</h1>
<ul><li><a href="/settings/connect">Connect</a></li><li><a href="/settings/teams-users">Manage Teams &amp; Users</a></li></ul>`, view);
}

export function connectPage(view: PageView, ssoConnected: boolean, workspace: string): string {
  const link = view.presentation.scimEntry === 'link' ? '<p><a href="/settings/connect/scim">SCIM provisioning</a></p>' : '';
  const sso = ssoConnected
    ? `<p>SSO status: <strong>Connected</strong> (workspace ${esc(workspace)})</p>${link}`
    : `<p>SSO status: <strong>Not connected</strong></p><p><a href="/settings/connect/sso">Connect with SSO/SCIM</a></p>
<p role="status">${MESSAGES.ssoRequired}</p>`;
  const h = p.idFor(view, 'sso-h');
  return layout('Connect', `<h1>Connect</h1>${p.connectTabs(view, 'sso', ssoConnected)}
<section aria-labelledby="${h}"><h2 id="${h}">Single sign-on</h2>${sso}</section>`, view);
}

export interface ScimView {
  endpointUrl: string;
  createdAt: string | null;
  /** The plaintext token, only in the answer to Generate / Regenerate. */
  revealed?: string;
  message?: string;
}

function created(at: string | null): string {
  return `<p>Token created <time datetime="${esc(at)}">${esc(at)}</time></p>`;
}

function tokenSection(view: PageView, scim: ScimView): string {
  if (scim.revealed) return `${p.tokenField(view, scim.revealed)}<p>${MESSAGES.shownOnce}</p>${created(scim.createdAt)}`;
  if (!scim.createdAt) {
    return `<form method="post" action="/settings/connect/scim/token"><input type="hidden" name="action" value="generate">
<button type="submit">Generate token</button></form>`;
  }
  const dialog = p.idFor(view, 'confirm');
  return `${created(scim.createdAt)}
<button type="button" onclick="document.getElementById('${dialog}').showModal()">Regenerate token</button>
<dialog id="${dialog}" aria-labelledby="${dialog}-h"><h3 id="${dialog}-h">Regenerate token</h3><p>${MESSAGES.confirmRegenerate}</p>
<form method="post" action="/settings/connect/scim/token"><input type="hidden" name="action" value="regenerate">
<button type="submit">Regenerate</button> <button type="button" onclick="this.closest('dialog').close()">Cancel</button></form></dialog>`;
}

function readOnly(view: PageView, name: string, label: string, value: string): string {
  const id = p.idFor(view, name);
  return `<label for="${id}">${label}</label> <input id="${id}" readonly value="${esc(value)}" size="60">`;
}

/** With scimEntry 'tab' the step is a tab of Connect (heading "Connect"), else its own page. */
function scimLayout(view: PageView, body: string, scimOffered: boolean): string {
  const tabbed = view.presentation.scimEntry === 'tab';
  return layout('SCIM provisioning', `<h1>${tabbed ? 'Connect' : 'SCIM provisioning'}</h1>${p.connectTabs(view, 'scim', scimOffered)}${body}`, view);
}

export function scimPage(view: PageView, scim: ScimView): string {
  const h = p.idFor(view, 'token-h');
  return scimLayout(view, `${alert(scim.message)}
${readOnly(view, 'endpoint', 'Endpoint URL', scim.endpointUrl)}
${readOnly(view, 'uid', 'Unique Identifier', 'userName')}
<section aria-labelledby="${h}"><h2 id="${h}">Provisioning token</h2>${tokenSection(view, scim)}</section>`, true);
}

export function ssoRequiredPage(view: PageView): string {
  return scimLayout(view, `<p role="status">${MESSAGES.ssoRequired}</p>`, false);
}

export function errorPage(view: PageView, message: string = MESSAGES.failed): string {
  return layout('Error', `<h1>Error</h1>${alert(message)}<p><a href="/settings/connect">Back to Connect</a></p>`, view);
}

function userCells(state: SpekitState, user: SandboxUser): string[] {
  const teams = state.teamsOf(user.id).map((m) => `${state.teams.get(m.teamId)?.displayName} (${m.role})`);
  return [user.displayName ?? user.userName, user.email, user.userName, userStatus(user),
    user.source === 'scim' ? 'SCIM' : 'Invitation', ['All Spekit Users', ...teams].join(', ')];
}

function teamCells(state: SpekitState, team: SandboxTeam): string[] {
  return [team.displayName, String(state.membersOf(team.id).length), team.source === 'scim' ? 'Identity provider' : 'Spekit'];
}

export function teamsUsersPage(view: PageView, state: SpekitState): string {
  const users = [...state.users.values()];
  const pending = users.filter((u) => userStatus(u) === 'Pending');
  const teams = [['All Spekit Users', String(users.length), 'Spekit'], ...[...state.teams.values()].map((t) => teamCells(state, t))];
  const section = (name: string, title: string, content: string) => {
    const h = p.idFor(view, name);
    return `<section aria-labelledby="${h}"><h2 id="${h}">${title}</h2>${content}</section>`;
  };
  return layout('Manage Teams & Users', `<h1>Manage Teams &amp; Users</h1>
${section('teams-h', 'Manage Teams', p.list(view, 'Manage Teams', ['Team', 'Members', 'Source'], teams, 'No teams yet'))}
${section('users-h', 'Manage Users', p.list(view, 'Manage Users', ['Name', 'Email', 'Username', 'Status', 'Source', 'Teams'],
    users.map((u) => userCells(state, u)), 'No users yet'))}
${section('pending-h', 'Manage pending invitations', p.list(view, 'Manage pending invitations', ['Email'],
    pending.map((u) => [u.email]), 'No pending invitations'))}`, view);
}
