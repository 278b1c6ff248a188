/**
 * Server-rendered pages of the Spekit sandbox. Markup is accessible on purpose (labels, roles,
 * headings) so page objects can locate everything as a person would.
 */
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

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function layout(title: string, body: string, signedIn = true): string {
  const nav = signedIn
    ? `<header><nav aria-label="Main"><a href="/app">Home</a> <a href="/settings" aria-label="Settings" title="Settings">&#9881;</a></nav></header>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Spekit</title></head>
<body>${nav}<main>${body}</main></body></html>`;
}

function alert(message: string | undefined): string {
  return message ? `<p role="alert">${esc(message)}</p>` : '';
}

export function loginPage(message?: string): string {
  return layout('Log in', `<h1>Log in to Spekit</h1>${alert(message)}
<form method="post" action="/login">
  <label for="login">Username or email</label> <input id="login" name="login" autocomplete="username">
  <label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">
  <button type="submit">Log in</button>
</form>
<p><a href="/login/salesforce">Log in with Salesforce</a> <a href="/login/sso">Log in with SSO</a></p>`, false);
}

export function totpPage(message?: string): string {
  return layout('Verify', `<h1>Two-step verification</h1>${alert(message)}
<form method="post" action="/login/verify">
  <label for="code">Authentication code</label> <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code">
  <button type="submit">Verify</button>
</form>`, false);
}

export function homePage(): string {
  return layout('Home', '<h1>Welcome to Spekit</h1><p>Your Speks, Flows and Topics.</p>');
}

export function settingsPage(): string {
  return layout('Settings', `<h1>Settings</h1>
<ul><li><a href="/settings/connect">Connect</a></li><li><a href="/settings/teams-users">Manage Teams &amp; Users</a></li></ul>`);
}

export function connectPage(ssoConnected: boolean, workspace: string): string {
  const sso = ssoConnected
    ? `<p>SSO status: <strong>Connected</strong> (workspace ${esc(workspace)})</p>
<p><a href="/settings/connect/scim">SCIM provisioning</a></p>`
    : `<p>SSO status: <strong>Not connected</strong></p><p><a href="/settings/connect/sso">Connect with SSO/SCIM</a></p>
<p role="status">${MESSAGES.ssoRequired}</p>`;
  return layout('Connect', `<h1>Connect</h1><section aria-labelledby="sso-h"><h2 id="sso-h">Single sign-on</h2>${sso}</section>`);
}

export interface ScimView {
  endpointUrl: string;
  createdAt: string | null;
  /** The plaintext token, only in the answer to Generate / Regenerate. */
  revealed?: string;
  message?: string;
}

function tokenSection(view: ScimView): string {
  if (view.revealed) {
    return `<label for="token">Bearer Token</label> <input id="token" readonly value="${esc(view.revealed)}" size="60">
<p>${MESSAGES.shownOnce}</p><p>Token created <time datetime="${esc(view.createdAt)}">${esc(view.createdAt)}</time></p>`;
  }
  if (!view.createdAt) {
    return `<form method="post" action="/settings/connect/scim/token"><input type="hidden" name="action" value="generate">
<button type="submit">Generate token</button></form>`;
  }
  return `<p>Token created <time datetime="${esc(view.createdAt)}">${esc(view.createdAt)}</time></p>
<button type="button" onclick="document.getElementById('confirm').showModal()">Regenerate token</button>
<dialog id="confirm" aria-labelledby="confirm-h"><h3 id="confirm-h">Regenerate token</h3><p>${MESSAGES.confirmRegenerate}</p>
<form method="post" action="/settings/connect/scim/token"><input type="hidden" name="action" value="regenerate">
<button type="submit">Regenerate</button> <button type="button" onclick="this.closest('dialog').close()">Cancel</button></form></dialog>`;
}

export function scimPage(view: ScimView): string {
  return layout('SCIM provisioning', `<h1>SCIM provisioning</h1>${alert(view.message)}
<label for="endpoint">Endpoint URL</label> <input id="endpoint" readonly value="${esc(view.endpointUrl)}" size="60">
<label for="uid">Unique Identifier</label> <input id="uid" readonly value="userName">
<section aria-labelledby="token-h"><h2 id="token-h">Provisioning token</h2>${tokenSection(view)}</section>`);
}

export function ssoRequiredPage(): string {
  return layout('SCIM provisioning', `<h1>SCIM provisioning</h1><p role="status">${MESSAGES.ssoRequired}</p>`);
}

export function errorPage(message: string = MESSAGES.failed): string {
  return layout('Error', `<h1>Error</h1>${alert(message)}<p><a href="/settings/connect">Back to Connect</a></p>`);
}

function userRow(state: SpekitState, user: SandboxUser): string {
  const teams = state.teamsOf(user.id).map((m) => `${state.teams.get(m.teamId)?.displayName} (${m.role})`);
  return `<tr><td>${esc(user.displayName ?? user.userName)}</td><td>${esc(user.email)}</td><td>${esc(user.userName)}</td>
<td>${userStatus(user)}</td><td>${user.source === 'scim' ? 'SCIM' : 'Invitation'}</td><td>${esc(['All Spekit Users', ...teams].join(', '))}</td></tr>`;
}

function teamRow(state: SpekitState, team: SandboxTeam): string {
  return `<tr><td>${esc(team.displayName)}</td><td>${state.membersOf(team.id).length}</td><td>${team.source === 'scim' ? 'Identity provider' : 'Spekit'}</td></tr>`;
}

export function teamsUsersPage(state: SpekitState): string {
  const users = [...state.users.values()];
  const pending = users.filter((u) => userStatus(u) === 'Pending');
  return layout('Manage Teams & Users', `<h1>Manage Teams &amp; Users</h1>
<section aria-labelledby="teams-h"><h2 id="teams-h">Manage Teams</h2><table aria-labelledby="teams-h">
<thead><tr><th>Team</th><th>Members</th><th>Source</th></tr></thead>
<tbody><tr><td>All Spekit Users</td><td>${users.length}</td><td>Spekit</td></tr>${[...state.teams.values()].map((t) => teamRow(state, t)).join('')}</tbody></table></section>
<section aria-labelledby="users-h"><h2 id="users-h">Manage Users</h2><table aria-labelledby="users-h">
<thead><tr><th>Name</th><th>Email</th><th>Username</th><th>Status</th><th>Source</th><th>Teams</th></tr></thead>
<tbody>${users.map((u) => userRow(state, u)).join('')}</tbody></table></section>
<section aria-labelledby="pending-h"><h2 id="pending-h">Manage pending invitations</h2>
<ul>${pending.map((u) => `<li>${esc(u.email)}</li>`).join('')}</ul></section>`);
}
