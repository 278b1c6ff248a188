import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret, TOTP } from 'otpauth';
import { startUxpinSandbox, type UxpinSandbox, type UxpinSandboxOptions } from './sandbox.ts';

const started: UxpinSandbox[] = [];
after(() => Promise.all(started.map((s) => s.stop())));

async function start(options: UxpinSandboxOptions = {}): Promise<UxpinSandbox> {
  const sandbox = await startUxpinSandbox(options);
  started.push(sandbox);
  return sandbox;
}

function cookieOf(res: Response): string {
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function login(sb: UxpinSandbox, password = sb.admin.password): Promise<Response> {
  return fetch(`${sb.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: sb.admin.email, password }),
  });
}

async function session(sb: UxpinSandbox): Promise<string> {
  return cookieOf(await login(sb));
}

function post(sb: UxpinSandbox, cookie: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${sb.url}${path}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

test('login: wrong password is refused, the right one opens an HttpOnly session', async () => {
  const sb = await start();
  const wrong = await login(sb, 'nope');
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /Incorrect email or password/);
  const right = await login(sb);
  assert.equal(right.status, 303);
  assert.equal(right.headers.get('location'), '/dashboard');
  assert.match(right.headers.get('set-cookie') ?? '', /HttpOnly/);
  const team = await fetch(`${sb.url}/team`, { headers: { cookie: cookieOf(right) } });
  assert.match(await team.text(), /Role for owner@example.com/);
  assert.equal(sb.state.logins, 1);
});

test('login with TOTP: the code is checked against the secret', async () => {
  const secret = new Secret().base32;
  const sb = await start({ totpSecret: secret });
  const first = await login(sb);
  assert.equal(first.headers.get('location'), '/login/verify');
  const cookie = cookieOf(first);
  const blocked = await fetch(`${sb.url}/team`, { headers: { cookie }, redirect: 'manual' });
  assert.equal(blocked.headers.get('location'), '/login', 'no team page before the code');
  const verify = (code: string) => fetch(`${sb.url}/login/verify`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code }),
  });
  const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
  const wrongCode = String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
  assert.equal((await verify(wrongCode)).status, 401);
  assert.equal((await verify(code)).headers.get('location'), '/dashboard');
  assert.equal((await fetch(`${sb.url}/team`, { headers: { cookie } })).status, 200);
});

test('seat limit counts active and pending members, Owner included', async () => {
  const sb = await start({ seed: [{ email: 'a@example.com', status: 'pending' }], seatLimit: 3 });
  const cookie = await session(sb);
  const ok = await post(sb, cookie, '/team/invite', { emails: ['b@example.com'], role: 'Creator' });
  assert.equal(ok.status, 200);
  const full = await post(sb, cookie, '/team/invite', { emails: ['c@example.com'], role: 'Creator' });
  assert.equal(full.status, 402);
  assert.deepEqual(await full.json(), { error: 'No seats left on your plan' });
  assert.equal(sb.state.find('c@example.com'), undefined);
  assert.deepEqual(sb.state.snapshot().invitesSent, { 'b@example.com': 1 });
});

test('invites are refused for bad addresses and existing members, all or nothing', async () => {
  const sb = await start({ seed: [{ email: 'a@example.com' }] });
  const cookie = await session(sb);
  const dup = await post(sb, cookie, '/team/invite', { emails: ['new@example.com', 'A@example.com'], role: 'Admin' });
  assert.deepEqual(await dup.json(), { error: 'A@example.com is already a member of this team' });
  const bad = await post(sb, cookie, '/team/invite', { emails: ['not-an-email'], role: 'Admin' });
  assert.deepEqual(await bad.json(), { error: 'Enter a valid email address' });
  assert.equal(sb.state.members.length, 2, 'nothing was saved');
});

test('an expired session sends pages to /login and refuses writes', async () => {
  const sb = await start({ sessionLifetimeMs: 10 });
  const cookie = await session(sb);
  await sleep(30);
  const page = await fetch(`${sb.url}/team`, { headers: { cookie }, redirect: 'manual' });
  assert.equal(page.status, 302);
  assert.equal(page.headers.get('location'), '/login');
  const write = await post(sb, cookie, '/team/invite', { emails: ['x@example.com'], role: 'Admin' });
  assert.equal(write.status, 401);
  sb.setKnobs({ sessionLifetimeMs: Number.POSITIVE_INFINITY });
  const fresh = await session(sb);
  sb.expireSessions();
  const again = await fetch(`${sb.url}/dashboard`, { headers: { cookie: fresh }, redirect: 'manual' });
  assert.equal(again.headers.get('location'), '/login');
});

test("failureTiming 'after' saves the change and still answers 500; 'before' saves nothing", async () => {
  const sb = await start({ seed: [{ email: 'a@example.com', role: 'Creator' }], failureRate: 1, failureTiming: 'after' });
  const cookie = await session(sb);
  const res = await post(sb, cookie, '/team/members/role', { email: 'a@example.com', role: 'Admin' });
  assert.equal(res.status, 500);
  assert.equal(sb.state.find('a@example.com')?.role, 'Admin');
  sb.setKnobs({ failureTiming: 'before' });
  const before = await post(sb, cookie, '/team/members/remove', { email: 'a@example.com' });
  assert.equal(before.status, 500);
  assert.ok(sb.state.find('a@example.com'), 'still a member');
  assert.equal(sb.state.failuresInjected, 2);
});

test("failureMode 'hang' never answers, after saving when timing is 'after'", async () => {
  const sb = await start({ failureRate: 1, failureMode: 'hang', failureTiming: 'after' });
  const cookie = await session(sb);
  const controller = new AbortController();
  const settled = post(sb, cookie, '/team/invite', { emails: ['h@example.com'], role: 'Developer' }, controller.signal)
    .then(() => 'answered', () => 'aborted');
  while (sb.state.failuresInjected === 0) await sleep(10);
  assert.equal(sb.state.find('h@example.com')?.status, 'pending', 'saved before hanging');
  assert.equal(await Promise.race([settled, sleep(200).then(() => 'no answer yet')]), 'no answer yet');
  controller.abort();
  assert.equal(await settled, 'aborted');
});

test('the failure sequence is the same for the same rngSeed', async () => {
  const outcomes = async () => {
    const sb = await start({ seed: 1, failureRate: 0.5, rngSeed: 42 });
    const cookie = await session(sb);
    const codes: number[] = [];
    for (const role of ['Admin', 'Creator', 'Manager', 'Developer', 'Admin', 'Creator', 'Manager', 'Developer']) {
      codes.push((await post(sb, cookie, '/team/members/role', { email: 'user01@example.com', role })).status);
    }
    return codes;
  };
  const first = await outcomes();
  assert.deepEqual(await outcomes(), first);
  assert.ok(first.includes(500) && first.includes(200), `a mix of outcomes: ${first.join(',')}`);
});

test('the Owner cannot be demoted or removed', async () => {
  const sb = await start();
  const cookie = await session(sb);
  assert.equal((await post(sb, cookie, '/team/members/role', { email: sb.admin.email, role: 'Admin' })).status, 403);
  assert.equal((await post(sb, cookie, '/team/members/remove', { email: sb.admin.email })).status, 403);
  assert.equal(sb.state.find(sb.admin.email)?.role, 'Owner');
});

test('search filters server-side and the list is paged by 25', async () => {
  const sb = await start({ seed: 60 });
  const cookie = await session(sb);
  const found = await (await fetch(`${sb.url}/team?q=user59`, { headers: { cookie } })).text();
  assert.match(found, /user59@example.com/);
  assert.doesNotMatch(found, /user58@example.com/);
  const third = await (await fetch(`${sb.url}/team?page=3`, { headers: { cookie } })).text();
  assert.match(third, /Page 3 of 3/);
  assert.match(third, /user60@example.com/);
  assert.doesNotMatch(third, /user49@example.com/);
  const state = await (await fetch(`${sb.url}/__sandbox/state`)).json() as { members: unknown[] };
  assert.equal(state.members.length, 61);
});
