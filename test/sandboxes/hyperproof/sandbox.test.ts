/** The Hyperproof sandbox over HTTP: sign-in, provisioning and its tokens, People actions, SCIM. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { MESSAGES } from './html.ts';
import { startHyperproofSandbox, type HyperproofSandbox } from './server.ts';

const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

async function form(url: string, body: Record<string, string>, cookie = ''): Promise<Response> {
  return fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams(body).toString() });
}

async function get(url: string, cookie = ''): Promise<{ status: number; text: string; location: string | null }> {
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, text: await res.text(), location: res.headers.get('location') };
}

/** A signed-in admin: the cookie and the page's JSON calls under its CSRF header. */
async function signIn(sandbox: HyperproofSandbox) {
  const res = await form(`${sandbox.url}/login/password`, ADMIN);
  assert.equal(res.status, 303);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const overview = await get(`${sandbox.url}/overview`, cookie);
  const cfg = JSON.parse(/window\.HP_CFG=(\{[^}]+\})/.exec(overview.text)![1]!) as { csrfHeader: string; csrf: string };
  const api = async (path: string, body: unknown = {}, headers: Record<string, string> = { [cfg.csrfHeader]: cfg.csrf }) => {
    const r = await fetch(`${sandbox.url}/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  return { cookie, api, page: (path: string) => get(`${sandbox.url}${path}`, cookie) };
}

function scim(sandbox: HyperproofSandbox, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.endpointUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
}

const ann = { userName: 'ann@example.com', name: { givenName: 'Ann', familyName: 'Lee' } };

let sandbox: HyperproofSandbox;
before(async () => {
  sandbox = await startHyperproofSandbox({ people: [{ email: 'owner@example.com', ownsWork: true }] });
});
after(() => sandbox.stop());

test('sign-in is two steps; unknown emails and wrong passwords fail alike after the password', async () => {
  const step1 = await form(`${sandbox.url}/login`, { email: 'nobody@example.com' });
  assert.match(await step1.text(), /Signing in as nobody@example.com/);
  for (const body of [{ email: 'nobody@example.com', password: ADMIN.password }, { email: ADMIN.email, password: 'wrong' }]) {
    const res = await form(`${sandbox.url}/login/password`, body);
    assert.equal(res.status, 401);
    assert.match(await res.text(), new RegExp(MESSAGES.badLogin));
  }
  assert.equal((await get(`${sandbox.url}/settings/people`)).location, '/login?next=%2Fsettings%2Fpeople');
  const json = await fetch(`${sandbox.url}/api/tokens/new`, { method: 'POST' });
  assert.equal(json.status, 401);
});

test('the app and its SCIM API are on different origins; the endpoint names the organization', () => {
  assert.notEqual(new URL(sandbox.endpointUrl).origin, new URL(sandbox.url).origin);
  assert.match(new URL(sandbox.endpointUrl).pathname, /^\/scim\/v2\/org_[0-9a-f]+$/);
});

test('provisioning: the dialog token is live only after Save; +New token up to two; delete refuses at once; off deletes all', async () => {
  const admin = await signIn(sandbox);
  assert.equal((await admin.api('/tokens/new', {}, {})).status, 403, 'no CSRF header');
  const cancelled = await admin.api('/provisioning/draft');
  assert.equal(cancelled.body.endpointUrl, sandbox.endpointUrl);
  assert.equal((await scim(sandbox, cancelled.body.token)('GET', '/Users')).status, 401, 'not live before Save');
  await admin.api('/provisioning/discard');
  assert.equal((await admin.api('/provisioning/save')).status, 409, 'a discarded draft cannot be saved');
  const draft = await admin.api('/provisioning/draft');
  assert.equal((await admin.api('/provisioning/save')).status, 200);
  const first = draft.body.token as string;
  assert.equal((await scim(sandbox, first)('GET', '/Users?count=1')).status, 200);
  assert.equal((await scim(sandbox, cancelled.body.token)('GET', '/Users')).status, 401, 'the cancelled token never works');
  const auth = await admin.page('/settings/authentication');
  assert.match(auth.text, new RegExp(`•••• ${first.slice(-4)}`));
  assert.match(auth.text, new RegExp(`aria-label="Delete token ending in ${first.slice(-4)}"`));
  assert.doesNotMatch(auth.text, new RegExp(first));
  const second = (await admin.api('/tokens/new')).body.token as string;
  assert.equal((await scim(sandbox, second)('GET', '/Users')).status, 200);
  assert.equal((await admin.api('/tokens/new')).status, 409, 'two tokens at most');
  assert.match((await admin.page('/settings/authentication')).text, new RegExp(MESSAGES.tokenLimit));
  const firstId = sandbox.state.tokens.find((t) => t.last4 === first.slice(-4))!.id;
  assert.equal((await admin.api('/tokens/delete', { id: firstId })).status, 200);
  assert.equal((await scim(sandbox, first)('GET', '/Users')).status, 401);
  sandbox.setKnobs({ ssoEnabled: false });
  assert.equal((await scim(sandbox, second)('GET', '/Users')).status, 200, 'SSO turned off later stops nothing');
  sandbox.setKnobs({ ssoEnabled: true });
  await admin.api('/provisioning/off');
  assert.equal((await scim(sandbox, second)('GET', '/Users')).status, 401);
  assert.equal(sandbox.state.tokens.length, 0);
});

test('without SSO the switch is disabled and described, and no token is made', async () => {
  const other = await startHyperproofSandbox({ ssoEnabled: false });
  try {
    const admin = await signIn(other);
    const page = (await admin.page('/settings/authentication')).text;
    assert.match(page, new RegExp(MESSAGES.ssoOff));
    assert.match(page, /role="switch"[^>]*aria-checked="false"[^>]*disabled/);
    assert.match(page, new RegExp(MESSAGES.configureSso));
    assert.equal((await admin.api('/provisioning/draft')).status, 409);
    assert.equal(other.state.stats.tokensIssued, 0);
  } finally {
    await other.stop();
  }
});

test('a REST API token from Integrations is refused by SCIM', async () => {
  const admin = await signIn(sandbox);
  sandbox.issueToken();
  const res = await form(`${sandbox.url}/settings/integrations/api-tokens`, {}, admin.cookie);
  const rest = /value="(hpapi_[^"]+)"/.exec(await res.text())![1]!;
  assert.equal((await scim(sandbox, rest)('GET', '/Users')).status, 401);
});

test('TOTP sign-in asks for a verification code, and an expired session goes to /login?next=', async () => {
  const secret = new Secret().base32;
  const other = await startHyperproofSandbox({ totpSecret: secret });
  try {
    const first = await form(`${other.url}/login/password`, ADMIN);
    assert.equal(first.headers.get('location'), '/login/verify');
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const bad = await form(`${other.url}/login/verify`, { code: '000000' }, cookie);
    assert.match(await bad.text(), new RegExp(MESSAGES.badCode));
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    assert.equal((await form(`${other.url}/login/verify`, { code }, cookie)).headers.get('location'), '/overview');
    assert.equal((await get(`${other.url}/settings/people`, cookie)).status, 200);
    for (const session of other.state.sessions.values()) session.expiresAt = Date.now() - 1;
    assert.equal((await get(`${other.url}/settings/people`, cookie)).location, '/login?next=%2Fsettings%2Fpeople');
  } finally {
    await other.stop();
  }
});

test('People: role change, deactivate (assign work), reactivate keeps the role, delete needs the email', async () => {
  const admin = await signIn(sandbox);
  const owner = sandbox.state.byEmail('owner@example.com')!;
  const people = (await admin.page('/settings/people')).text;
  const code = new RegExp(`<option value="(r_[0-9a-f]+)">Compliance manager<`).exec(people)![1]!;
  assert.match(people, /<select aria-label="Role for admin@example.com"[^>]* disabled/);
  assert.equal((await admin.api('/people/role', { id: owner.id, role: code })).status, 200);
  assert.equal(owner.role, 'Compliance manager');
  assert.equal((await admin.api('/people/deactivate', { id: owner.id })).status, 400, 'their work must be assigned');
  const self = sandbox.state.byEmail(ADMIN.email)!;
  assert.equal((await admin.api('/people/deactivate', { id: owner.id, assignTo: self.id })).status, 200);
  assert.match((await admin.page('/settings/people?tab=deactivated')).text, /aria-label="Delete owner@example.com"/);
  await admin.api('/people/reactivate', { id: owner.id });
  assert.equal(owner.status, 'Active');
  assert.equal(owner.role, 'Compliance manager');
  await admin.api('/people/deactivate', { id: owner.id, assignTo: self.id });
  assert.equal((await admin.api('/people/delete', { id: owner.id, email: 'other@example.com' })).status, 400);
  sandbox.setKnobs({ deleteOffered: false });
  assert.doesNotMatch((await admin.page('/settings/people?tab=deactivated')).text, /aria-label="Delete owner/);
  assert.equal((await admin.api('/people/delete', { id: owner.id, email: 'OWNER@example.com' })).status, 404);
  sandbox.setKnobs({ deleteOffered: true });
  assert.equal((await admin.api('/people/delete', { id: owner.id, email: 'OWNER@example.com' })).status, 200);
  assert.equal(sandbox.state.byEmail('owner@example.com'), undefined);
});

test('SCIM users: create as Limited access user, 400s, 409 in any case and when deactivated, filter, PATCH, PUT, DELETE 405', async () => {
  const call = scim(sandbox, sandbox.issueToken());
  const made = await call('POST', '/Users', { ...ann, roles: [{ value: 'ORGANIZATION_ADMINISTRATOR', primary: true }] });
  assert.equal(made.status, 201);
  assert.equal(sandbox.state.people.get(made.body.id)!.role, 'Limited access user', 'roles accepted and ignored');
  assert.equal(made.body.roles, undefined);
  assert.equal((await call('POST', '/Users', { userName: 'not-an-email', name: ann.name })).status, 400);
  assert.equal((await call('POST', '/Users', { userName: 'bo@example.com', name: { givenName: 'Bo' } })).status, 400);
  assert.equal((await call('POST', '/Users', { ...ann, userName: 'ANN@example.com' })).body.scimType, 'uniqueness');
  const found = await call('GET', '/Users?filter=userName eq "Ann@Example.com"');
  assert.equal(found.body.Resources[0].id, made.body.id);
  assert.equal((await call('GET', '/Users?filter=emails.value eq "ann@example.com"')).body.scimType, 'invalidFilter');
  const off = await call('PATCH', `/Users/${made.body.id}`, { Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
  assert.equal(off.body.active, false);
  assert.equal((await call('POST', '/Users', ann)).status, 409, 'a deactivated user keeps the email');
  const bad = await call('PATCH', `/Users/${made.body.id}`, { Operations: [{ op: 'replace', value: { active: true } }, { op: 'replace', path: 'name.familyName', value: '' }] });
  assert.equal(bad.status, 400);
  assert.equal(sandbox.state.people.get(made.body.id)!.status, 'Deactivated', 'all-or-nothing');
  await call('PATCH', `/Users/${made.body.id}`, { Operations: [{ op: 'replace', value: { active: true, 'name.givenName': 'Annie' } }] });
  assert.equal(sandbox.state.people.get(made.body.id)!.givenName, 'Annie');
  sandbox.state.people.get(made.body.id)!.role = 'User';
  await call('PUT', `/Users/${made.body.id}`, ann);
  assert.equal(sandbox.state.people.get(made.body.id)!.role, 'Limited access user', 'PUT resets the role');
  const del = await call('DELETE', `/Users/${made.body.id}`);
  assert.equal(del.status, 405);
  assert.match(del.body.detail, /Set active to false/);
  assert.equal((await call('GET', '/Groups')).status, 404);
  for (let i = 0; i < 60; i++) sandbox.state.addPerson({ email: `bulk${i}@example.com` });
  const listed = await call('GET', '/Users?startIndex=1&count=100');
  assert.equal(listed.body.itemsPerPage, 50);
  assert.ok(listed.body.totalResults > 60);
});

test('knob scimRoles entra honours the Entra app-role values', async () => {
  const other = await startHyperproofSandbox({ scimRoles: 'entra' });
  try {
    const call = scim(other, other.issueToken());
    const made = await call('POST', '/Users', { ...ann, roles: [{ value: 'COMPLIANCE_MANAGER', primary: 'True' }] });
    assert.equal(other.state.people.get(made.body.id)!.role, 'Compliance manager');
    await call('PATCH', `/Users/${made.body.id}`, { Operations: [{ op: 'Replace', path: 'roles[primary eq "True"].value', value: 'USER' }] });
    assert.equal(other.state.people.get(made.body.id)!.role, 'User');
  } finally {
    await other.stop();
  }
});

test('429 with Retry-After in seconds, as a date, or none; failures before and after the change', async () => {
  const call = scim(sandbox, sandbox.issueToken());
  for (const retryAfter of ['seconds', 'http-date', 'none'] as const) {
    const other = await startHyperproofSandbox({ rateLimit: { requests: 1, windowMs: 60_000, retryAfter } });
    try {
      const c = scim(other, other.issueToken());
      assert.equal((await c('GET', '/Users')).status, 200);
      const limited = await c('GET', '/Users');
      assert.equal(limited.status, 429);
      const header = limited.headers.get('retry-after');
      if (retryAfter === 'seconds') assert.match(header ?? '', /^\d+$/);
      else if (retryAfter === 'http-date') assert.ok(!Number.isNaN(Date.parse(header ?? '')));
      else assert.equal(header, null);
    } finally {
      await other.stop();
    }
  }
  sandbox.setKnobs({ failureCount: 1, failureTiming: 'before', failureScope: 'scim' });
  assert.equal((await call('POST', '/Users', { ...ann, userName: 'before@example.com' })).status, 500);
  assert.equal(sandbox.state.byEmail('before@example.com'), undefined);
  sandbox.setKnobs({ failureCount: 1, failureTiming: 'after' });
  assert.equal((await call('POST', '/Users', { ...ann, userName: 'after@example.com' })).status, 500);
  assert.ok(sandbox.state.byEmail('after@example.com'), 'a create answered 500 may have landed');
  sandbox.setKnobs({ failureTiming: 'before', failureScope: 'all' });
  assert.ok(!JSON.stringify(await (await fetch(`${sandbox.url}/__sandbox/state`)).json()).includes('hps_'), 'no token in the state view');
});
