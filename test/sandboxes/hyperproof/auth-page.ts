/**
 * Settings → Authentication: the SSO state, "SSO required", and the Provisioning switch with its
 * dialogs (turn on: SCIM Endpoint URL and Bearer Token; +New token; Delete token?; turn off).
 */
import { alert, esc, MESSAGES, readOnly, settingsLayout } from './html.ts';
import * as p from './presentation.ts';
import type { PageView } from './presentation.ts';
import type { TokenRecord } from './state.ts';

export interface AuthView {
  ssoEnabled: boolean;
  provisioning: boolean;
  endpointUrl: string;
  tokens: TokenRecord[];
  tokenLimit: number | null;
}

function ssoSection(view: PageView, auth: AuthView): string {
  const w = p.words(view);
  const state = auth.ssoEnabled
    ? `<p>${MESSAGES.ssoOn}</p><p>${w.provider}: Okta</p>`
    : `<p>${MESSAGES.ssoOff}</p>`;
  const req = p.idFor(view, 'sso-required');
  const options = ['Not required', 'Required for all users except admins', 'Required for all users']
    .map((o) => `<option>${o}</option>`).join('');
  return `<section aria-labelledby="${req}-h"><h2 id="${req}-h">Single sign-on</h2>${state}
<label for="${req}">SSO required</label> <select id="${req}"${auth.ssoEnabled ? '' : ' disabled'}>${options}</select></section>`;
}

function tokensList(view: PageView, auth: AuthView): string {
  const w = p.words(view);
  const rows = auth.tokens.map((t) => [
    esc(`•••• ${t.last4}`), esc(p.date(view, t.createdAt)), esc(p.date(view, t.lastUsedAt)),
    `<button type="button" aria-label="Delete token ending in ${esc(t.last4)}" onclick="hp.askDeleteToken('${t.id}')">Delete</button>`,
  ]);
  const atLimit = auth.tokenLimit !== null && auth.tokens.length >= auth.tokenLimit;
  const limit = p.idFor(view, 'token-limit');
  const button = `<button type="button" aria-label="New token"${atLimit ? ` disabled aria-describedby="${limit}"` : ''} onclick="hp.newToken()">+New token</button>`
    + (atLimit ? ` <p id="${limit}">${MESSAGES.tokenLimit}</p>` : '');
  return `${p.list(view, 'Tokens', [w.tokenColumn, w.created, w.lastUsed, ''], rows, w.noTokens)}${button}`;
}

function provisioningSection(view: PageView, auth: AuthView): string {
  const desc = p.idFor(view, 'provisioning-desc');
  const disabled = !auth.ssoEnabled && !auth.provisioning;
  const describe = disabled ? MESSAGES.configureSso : 'Create, update and deactivate users from your identity provider.';
  const on = auth.provisioning
    ? `<p>${readOnly(view, 'endpoint', 'SCIM Endpoint URL', auth.endpointUrl, true)}</p><h3>Tokens</h3>${tokensList(view, auth)}`
    : '';
  return `<section aria-labelledby="${desc}-h"><h2 id="${desc}-h">User provisioning</h2>
<p>${p.provisioningSwitch(view, auth.provisioning, disabled, desc)}</p><p id="${desc}">${describe}</p>${on}</section>`;
}

function dialogs(view: PageView): string {
  const w = p.words(view);
  const cancel = (js: string) => `<button type="button" onclick="${js}">Cancel</button>`;
  return [
    p.dialog(view, 'dlg-provisioning', 'Provisioning', `<p>${readOnly(view, 'prov-url', 'SCIM Endpoint URL', '', true)}</p>
<p>${readOnly(view, 'prov-token', 'Bearer Token', '', true)}</p><p>${esc(MESSAGES.copyNow)}</p>
${cancel('hp.cancelProvisioning()')} <button type="button" onclick="hp.saveProvisioning()">Save</button>`),
    p.dialog(view, 'dlg-off', 'Turn off provisioning?', `<p>Every token is deleted and identity providers stop provisioning.</p>
<button type="button" onclick="hp.turnOff()">${w.turnOff}</button> ${cancel("hp.close('dlg-off')")}`, 'alertdialog'),
    p.dialog(view, 'dlg-new-token', 'New token', `<p>${readOnly(view, 'new-token', 'Bearer Token', '', true)}</p><p>${esc(MESSAGES.copyNow)}</p>
<button type="button" onclick="hp.reload()">Done</button>`),
    p.dialog(view, 'dlg-delete-token', 'Delete token?', `<p>${MESSAGES.deleteToken}</p>
<button type="button" onclick="hp.deleteToken()">Delete</button> ${cancel("hp.close('dlg-delete-token')")}`, 'alertdialog'),
  ].join('\n');
}

export function authenticationPage(view: PageView, auth: AuthView, message?: string): string {
  return settingsLayout(view, 'Authentication', `${alert(message)}${ssoSection(view, auth)}${provisioningSection(view, auth)}${dialogs(view)}`);
}
