/**
 * The console's connection form: its fields, and the same JSON body the admin API takes, built from
 * what the browser posts. Nothing is validated here beyond turning text into JSON values: the body
 * goes through the admin API's own path (api/admin/connection-writes.ts and the zod schemas of
 * core/connections/schema.ts). Secrets are write-only: never put back into the page, only "set".
 */
import type { ConnectorDescriptor } from '../../core/connector.ts';
import { DEFAULT_PARALLEL_PAGES, type ConnectionSettings, type Credentials } from '../../core/connections/schema.ts';
import { html, type Html } from './html.ts';

/** What the browser posts (application/x-www-form-urlencoded, one value per name). */
export type FormBody = Record<string, string | undefined>;

/** A line of a role map the form could not read, said so before any schema sees it. */
export class FormError extends Error {
  override readonly name = 'FormError';
}

const text = (form: FormBody, name: string) => (form[name] ?? '').trim();

/** "12" → 12; anything else goes through as text, so the schema names the field ("expected number"). */
function numberOrText(value: string): number | string | undefined {
  if (value === '') return undefined;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

/** One mapping a line: `Design = Creator`; blank lines are skipped. */
export function parseRoleMap(field: string, value: string): Record<string, string> {
  const out: Record<string, string> = {};
  value.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf('=');
    if (at <= 0 || line.slice(at + 1).trim() === '') throw new FormError(`settings.${field}: line ${i + 1} ("${line.trim()}") is not "value = app role"`);
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  });
  return out;
}

export function formatRoleMap(map: Record<string, string>): string {
  return Object.entries(map).map(([k, v]) => `${k} = ${v}`).join('\n');
}

/** The settings block of a body, every key present (the form always shows every setting). */
export function settingsFromForm(form: FormBody): Record<string, unknown> {
  const appText = text(form, 'app');
  let app: unknown = {};
  if (appText !== '') {
    try {
      app = JSON.parse(appText);
    } catch {
      throw new FormError('settings.app: not JSON (write an object such as {"actionTimeoutMs": 5000}, or leave it empty)');
    }
  }
  const settings: Record<string, unknown> = {
    createUsers: form.createUsers === 'on',
    syncDisplayName: form.syncDisplayName === 'on',
    deprovision: text(form, 'deprovision') || 'remove',
    roleMap: parseRoleMap('roleMap', form.roleMap ?? ''),
    groupRoleMap: parseRoleMap('groupRoleMap', form.groupRoleMap ?? ''),
    app,
  };
  const optional = {
    defaultRole: text(form, 'defaultRole') || undefined, checkIntervalHours: numberOrText(text(form, 'checkIntervalHours')),
    deprovisionTargetMinutes: numberOrText(text(form, 'deprovisionTargetMinutes')), parallelPages: numberOrText(text(form, 'parallelPages')),
    driftScanHours: numberOrText(text(form, 'driftScanHours')), drift: text(form, 'drift') || undefined,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) settings[key] = value;
  return settings;
}

/** POST /admin/v1/connections's body. */
export function createBody(form: FormBody): Record<string, unknown> {
  const totpSecret = text(form, 'totpSecret');
  return {
    id: text(form, 'id'), connector: text(form, 'connector'), baseUrl: text(form, 'baseUrl'),
    credentials: { email: text(form, 'email'), password: form.password ?? '', ...(totpSecret ? { totpSecret } : {}) },
    settings: settingsFromForm(form),
  };
}

/**
 * PATCH's body. Credentials are sent only when something in them changed; a blank password or TOTP
 * field keeps the stored one (the page never holds it), "remove" drops the TOTP secret.
 */
export function patchBody(form: FormBody, current: Credentials): Record<string, unknown> {
  const email = text(form, 'email');
  const password = form.password ?? '';
  const totp = text(form, 'totpSecret');
  const removeTotp = form.removeTotp === 'on' && !totp;
  const changed = email !== current.email || password !== '' || totp !== '' || (removeTotp && current.totpSecret !== undefined);
  const totpSecret = totp || (removeTotp ? undefined : current.totpSecret);
  return {
    baseUrl: text(form, 'baseUrl'),
    ...(changed ? { credentials: { email, password: password || current.password, ...(totpSecret ? { totpSecret } : {}) } } : {}),
    settings: settingsFromForm(form),
  };
}

/** What the form shows: a stored connection, or what was posted (after a refusal), never a secret. */
export interface FormValues {
  id: string;
  connector: string;
  baseUrl: string;
  email: string;
  settings: Partial<ConnectionSettings>;
  /** Raw texts of the posted fields that did not parse, shown back as typed. */
  raw?: {
    roleMap?: string; groupRoleMap?: string; app?: string; checkIntervalHours?: string; deprovisionTargetMinutes?: string;
    parallelPages?: string; driftScanHours?: string;
  };
  /** Edit only: whether a password / TOTP secret is stored. */
  stored?: { password: boolean; totp: boolean };
}

export function valuesFromPost(form: FormBody, base: Partial<FormValues> = {}): FormValues {
  return {
    id: base.id ?? text(form, 'id'), connector: base.connector ?? text(form, 'connector'), baseUrl: text(form, 'baseUrl'), email: text(form, 'email'),
    settings: {
      createUsers: form.createUsers === 'on', syncDisplayName: form.syncDisplayName === 'on',
      deprovision: text(form, 'deprovision') === 'deactivate' ? 'deactivate' : 'remove',
      ...(text(form, 'defaultRole') ? { defaultRole: text(form, 'defaultRole') } : {}),
      ...(text(form, 'drift') === 'repair' ? { drift: 'repair' as const } : {}),
    },
    raw: {
      roleMap: form.roleMap ?? '', groupRoleMap: form.groupRoleMap ?? '', app: form.app ?? '',
      checkIntervalHours: text(form, 'checkIntervalHours'), deprovisionTargetMinutes: text(form, 'deprovisionTargetMinutes'),
      parallelPages: text(form, 'parallelPages'), driftScanHours: text(form, 'driftScanHours'),
    },
    ...(base.stored ? { stored: base.stored } : {}),
  };
}

const selected = (on: boolean) => (on ? html` selected` : '');
const checked = (on: boolean) => (on ? html` checked` : '');

function roleOptions(connectors: ConnectorDescriptor[], current: string | undefined): Html {
  const assignable = (c: ConnectorDescriptor) => c.capabilities.roles.filter((r) => !c.capabilities.protectedRoles.includes(r));
  return html`<option value="">The connector's least role</option>${connectors.map((c) => html`<optgroup label="${c.name}">${assignable(c).map((role) => html`<option value="${role}"${selected(role === current)}>${role}</option>`)}</optgroup>`)}`;
}

function credentialFields(v: FormValues): Html {
  const stored = v.stored;
  const state = (set: boolean) => html`<span class="badge badge-${set ? 'ok' : 'neutral'}">${set ? 'set' : 'not set'}</span>`;
  return html`<fieldset><legend>App admin login</legend>
    <div class="field"><label for="email">Admin email</label><input id="email" name="email" type="email" required autocomplete="off" spellcheck="false" value="${v.email}"></div>
    <div class="field"><label for="password">${stored ? 'Replace password' : 'Admin password'}</label>
      ${stored ? html`<p class="hint">Password: ${state(stored.password)} — leave blank to keep it.</p>` : html`<p class="hint">At least 8 characters; stored encrypted, never shown again.</p>`}
      <input id="password" name="password" type="password" autocomplete="new-password"${stored ? '' : html` required`}></div>
    <div class="field"><label for="totpSecret">${stored ? 'Replace TOTP secret' : 'TOTP secret'} <span class="hint">(optional; base32, when the app asks for a code)</span></label>
      ${stored ? html`<p class="hint">TOTP secret: ${state(stored.totp)}${stored.totp ? ' — leave blank to keep it.' : ''}</p>` : ''}
      <input id="totpSecret" name="totpSecret" type="password" autocomplete="off" spellcheck="false"></div>
    ${stored?.totp ? html`<label class="check"><input type="checkbox" name="removeTotp"> Remove the TOTP secret</label>` : ''}
  </fieldset>`;
}

function settingsFields(v: FormValues, connectors: ConnectorDescriptor[]): Html {
  const s = v.settings;
  const raw = v.raw ?? {};
  const num = (value: number | undefined, typed: string | undefined) => typed ?? (value === undefined ? '' : String(value));
  return html`<fieldset><legend>Provisioning settings</legend>
    <label class="check"><input type="checkbox" name="createUsers"${checked(s.createUsers ?? true)}> Invite users the app does not have yet</label>
    <label class="check"><input type="checkbox" name="syncDisplayName"${checked(s.syncDisplayName ?? true)}> Keep the app's display name in step with the IdP</label>
    <div class="row">
      <div class="field"><label for="defaultRole">Default role</label><select id="defaultRole" name="defaultRole">${roleOptions(connectors, s.defaultRole)}</select></div>
      <div class="field"><label for="deprovision">When the IdP deprovisions</label><select id="deprovision" name="deprovision">
        <option value="remove"${selected(s.deprovision !== 'deactivate')}>Remove the user</option>
        <option value="deactivate"${selected(s.deprovision === 'deactivate')}>Deactivate (where the app can)</option></select></div>
    </div>
    <div class="row">
      <div class="field"><label for="checkIntervalHours">Canary check every (hours)</label><input id="checkIntervalHours" name="checkIntervalHours" inputmode="numeric" placeholder="24" value="${num(s.checkIntervalHours, raw.checkIntervalHours)}"><p class="hint">0 turns the schedule off</p></div>
      <div class="field"><label for="deprovisionTargetMinutes">Deprovisioning target (minutes)</label><input id="deprovisionTargetMinutes" name="deprovisionTargetMinutes" inputmode="numeric" placeholder="60" value="${num(s.deprovisionTargetMinutes, raw.deprovisionTargetMinutes)}"></div>
      <div class="field"><label for="parallelPages">Pages at once</label><input id="parallelPages" name="parallelPages" inputmode="numeric" placeholder="${DEFAULT_PARALLEL_PAGES}" value="${num(s.parallelPages, raw.parallelPages)}"><p class="hint">browser pages working on this app at the same time; fewer while the app pushes back</p></div>
    </div>
    <div class="row">
      <div class="field"><label for="driftScanHours">Drift scan every (hours)</label><input id="driftScanHours" name="driftScanHours" inputmode="numeric" placeholder="24" value="${num(s.driftScanHours, raw.driftScanHours)}"><p class="hint">0 turns the schedule off</p></div>
      <div class="field"><label for="drift">Drift for IdP users</label><select id="drift" name="drift">
        <option value="report"${selected(s.drift !== 'repair')}>Report it</option>
        <option value="repair"${selected(s.drift === 'repair')}>Repair it at once</option></select><p class="hint">Shadow accounts are only reported</p></div>
    </div>
    <div class="field"><label for="roleMap">SCIM role → app role <span class="hint">(one a line: <code>designer = Creator</code>)</span></label>
      <textarea id="roleMap" name="roleMap" rows="3" spellcheck="false">${raw.roleMap ?? formatRoleMap(s.roleMap ?? {})}</textarea></div>
    <div class="field"><label for="groupRoleMap">IdP group → app role <span class="hint">(one a line: <code>Design = Creator</code>; the most privileged wins)</span></label>
      <textarea id="groupRoleMap" name="groupRoleMap" rows="3" spellcheck="false">${raw.groupRoleMap ?? formatRoleMap(s.groupRoleMap ?? {})}</textarea></div>
    <div class="field"><label for="app">Connector settings <span class="hint">(JSON, checked by the connector)</span></label>
      <textarea id="app" name="app" rows="2" spellcheck="false" class="mono">${raw.app ?? (Object.keys(s.app ?? {}).length > 0 ? JSON.stringify(s.app) : '')}</textarea></div>
  </fieldset>`;
}

/** The whole form; `connectors`: the choices (create) or the connection's own (edit). */
export function connectionForm(options: { action: string; csrf: Html; values: FormValues; connectors: ConnectorDescriptor[]; editing: boolean }): Html {
  const { action, csrf, values: v, connectors, editing } = options;
  return html`<form method="post" action="${action}" class="stack narrow wide">${csrf}
    ${editing ? '' : html`<div class="row">
      <div class="field"><label for="id">Connection id</label><input id="id" name="id" required spellcheck="false" autocomplete="off" placeholder="acme-uxpin" value="${v.id}">
        <p class="hint">Lower-case letters, digits and dashes; part of the SCIM base URL</p></div>
      <div class="field"><label for="connector">App</label><select id="connector" name="connector">${connectors.map((c) => html`<option value="${c.id}"${selected(c.id === v.connector)}>${c.name}</option>`)}</select></div>
    </div>`}
    <div class="field"><label for="baseUrl">App base URL</label><input id="baseUrl" name="baseUrl" type="url" required spellcheck="false" placeholder="https://app.uxpin.com" value="${v.baseUrl}"></div>
    ${credentialFields(v)}
    ${settingsFields(v, connectors)}
    <p class="hint">Saving signs in to the app with these credentials and walks its screens read-only (the connector's check); the result shows on the next page.</p>
    <div class="actions"><button type="submit" class="primary">${editing ? 'Save and test login' : 'Add connection and test login'}</button>
      <a class="button" href="/console/connections">Cancel</a></div>
  </form>`;
}
