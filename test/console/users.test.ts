/**
 * The users list in real Chromium against the real stack: paged and sorted on the server, a user
 * the worker is still retrying (the UXPin sandbox answers every write with a 500) listed with its
 * next try and last error, and the import's progress line moving without a reload while users of
 * a large import settle. The import is seeded through the stores (as the SCIM save does, without
 * a job each, so no browser runs 120 times); its outcomes are recorded as the worker records them.
 * Screenshots go to /tmp/console-users-*.png (CONSOLE_USERS_SHOTS=0 turns them off).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { connectionKeys } from '../../core/store/keys.ts';
import { ResourceStore } from '../../core/store/resource-store.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { addUxpinConnection, startStack, type Stack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';
import { ConsolePage } from './console.page.ts';
import { ADMIN_TOKEN, createScimUser, settled } from './stack.ts';

const SHOTS = process.env.CONSOLE_USERS_SHOTS === '0' ? undefined : '/tmp';
const IMPORT = 120;
const FIRST = ['Zoe', 'Yann', 'Xia', 'Will', 'Vera', 'Uma', 'Tom', 'Sara'];

let redis: TestRedis;
let browser: Browser;
let stack: Stack;
let retryingId = '';
const imported: string[] = [];

async function seedImport(): Promise<void> {
  const resources = new ResourceStore(stack.redis, stack.config.redisPrefix);
  const keys = connectionKeys(stack.config.redisPrefix, 'acme');
  for (let i = 0; i < IMPORT; i++) {
    const id = `imp-${String(i).padStart(3, '0')}`;
    const userName = `u${String(i).padStart(3, '0')}@import.example`;
    const resource = { id, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: FIRST[i % FIRST.length]!, familyName: `N${i}` } };
    await resources.create('acme', 'User', resource, { bump: [{ id, key: keys.prov(id), fields: ['userName', userName, 'deleted', '0'] }] });
    imported.push(id);
  }
}

before(async () => {
  [redis, browser] = await Promise.all([startRedis(), launchChromium()]);
  // Long backoff: a failed try waits ~minutes for the next one, so the page can show it waiting.
  stack = await startStack({ redisUrl: redis.url, browser, timing: { attempts: 4, backoff: { baseMs: 240_000, maxMs: 240_000 } } });
  const { token } = await addUxpinConnection(stack, { id: 'acme', settings: { app: { actionTimeoutMs: 5000 } } });
  for (const email of ['ann@example.com', 'bob@example.com']) {
    assert.equal((await settled(stack, 'acme', await createScimUser(stack, token, 'acme', email))).state, 'in_sync');
  }
  stack.sandbox.setKnobs({ failureRate: 1 });
  retryingId = await createScimUser(stack, token, 'acme', 'cy@example.com');
  await waitFor(async () => {
    const state = await stack.core.directory.provisioning.get('acme', retryingId);
    return state?.state === 'pending' && state.lastError ? state : undefined;
  }, 'cy to fail its first try', 60_000);
  await seedImport();
});

after(async () => {
  await stack?.close();
  await browser?.close();
  await redis?.stop();
});

async function signedIn(t: { after(fn: () => Promise<void>): void }, path: string): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  t.after(() => context.close());
  const ui = new ConsolePage(await context.newPage(), stack.url);
  await ui.login(ADMIN_TOKEN, path);
  return ui;
}

/** Follows a link as a person does, and waits for the page it opens. */
async function follow(link: Locator): Promise<void> {
  const page = link.page();
  await Promise.all([page.waitForEvent('framenavigated'), link.click()]);
  await page.waitForLoadState('domcontentloaded');
}

function table(page: Page) {
  return page.getByRole('table', { name: 'Users of acme' });
}

/** The Email column of the shown page, top to bottom. */
async function emails(page: Page): Promise<string[]> {
  const cells = table(page).getByRole('rowheader');
  return (await cells.getByRole('link').allInnerTexts()).map((s) => s.trim());
}

async function column(page: Page, index: number): Promise<string[]> {
  return (await table(page).getByRole('row').evaluateAll((rows, i) => rows.slice(1).map((r) => (r.children[i] as HTMLElement).innerText.trim()), index));
}

const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a.toLowerCase()), Buffer.from(b.toLowerCase()));
const sorted = (list: string[], dir = 1) => list.every((v, i) => i === 0 || bytes(list[i - 1]!, v) * dir <= 0);

test('the list pages 123 users 50 at a time; sorting by a header keeps across pages and in every link', async (t) => {
  const ui = await signedIn(t, '/console/connections/acme/users');
  const { page } = ui;
  await page.getByRole('status', { name: 'Users shown' }).getByText('123 user(s); 1–50 shown.').waitFor();
  const nav = page.getByRole('navigation', { name: 'Pages' });
  await nav.getByText('Page 1 of 3').waitFor();
  const first = await emails(page);
  assert.equal(first.length, 50);
  assert.deepEqual(first.slice(0, 3), ['ann@example.com', 'bob@example.com', 'cy@example.com']);
  assert.ok(sorted(first), `page 1 by email: ${first.join(', ')}`);
  if (SHOTS) await ui.shoot(SHOTS, 'console-users-1-page1');

  await follow(nav.getByRole('link', { name: 'Next ›' }));
  await nav.getByText('Page 2 of 3').waitFor();
  const second = await emails(page);
  assert.ok(bytes(first.at(-1)!, second[0]!) < 0, 'page 2 starts after page 1 ends');
  await follow(nav.getByRole('link', { name: 'Last »' }));
  await nav.getByText('Page 3 of 3').waitFor();
  assert.equal((await emails(page)).length, 23);

  // Email, descending; then page 2 of that order.
  const emailHeader = table(page).getByRole('columnheader', { name: 'Email' });
  await follow(emailHeader.getByRole('link'));
  assert.match(page.url(), /dir=desc/);
  assert.equal(await emailHeader.getAttribute('aria-sort'), 'descending');
  await nav.getByText('Page 1 of 3').waitFor();
  const desc = await emails(page);
  assert.equal(desc[0], 'u119@import.example');
  assert.ok(sorted(desc, -1));
  await follow(nav.getByRole('link', { name: 'Next ›' }));
  await nav.getByText('Page 2 of 3').waitFor();
  assert.match(page.url(), /dir=desc/);
  assert.ok(bytes((await emails(page))[0]!, desc.at(-1)!) < 0);

  // By name: users without a name (the three made over SCIM carry only a first name) keep their place by name too.
  await follow(table(page).getByRole('columnheader', { name: 'Name' }).getByRole('link'));
  await nav.getByText('Page 1 of 3').waitFor();
  const names = await column(page, 1);
  assert.ok(sorted(names), `by name: ${names.join(', ')}`);
  assert.equal(await table(page).getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort'), 'ascending');

  // By state: failed, in sync, pending (retrying ones too), removed.
  await follow(table(page).getByRole('columnheader', { name: 'State' }).getByRole('link'));
  await nav.getByText('Page 1 of 3').waitFor();
  const states = await column(page, 2);
  assert.match(states[0]!, /^in sync/);
  assert.match(states[2]!, /^(pending|retrying)/);
  if (SHOTS) await ui.shoot(SHOTS, 'console-users-2-by-state');

  // Last change, newest first: cy's failed try came after ann's and bob's runs, the import after all.
  await follow(table(page).getByRole('columnheader', { name: 'Last change' }).getByRole('link'));
  await nav.getByText('Page 1 of 3').waitFor();
  assert.equal((await emails(page))[0], 'u119@import.example');
  const times = await column(page, 4);
  assert.ok(times.every((v, i) => i === 0 || v.slice(0, 23) <= times[i - 1]!.slice(0, 23)), `newest first: ${times.slice(0, 5).join(' | ')}`);

  // A search keeps the sort; the filter form keeps it too.
  await page.getByLabel('Search').fill('u00');
  await follow(page.getByRole('button', { name: 'Apply' }));
  await page.getByText('10 of 123 user(s) match').waitFor();
  assert.match(page.url(), /sort=changed/);
  assert.deepEqual(await emails(page), Array.from({ length: 10 }, (_, i) => `u00${9 - i}@import.example`));
});

test('a user the worker is still retrying is listed with its next try and last error, and under "retrying"', async (t) => {
  const ui = await signedIn(t, '/console/connections/acme/users');
  const { page } = ui;
  await page.getByLabel('State').selectOption('retrying');
  await follow(page.getByRole('button', { name: 'Apply' }));
  await page.getByText('1 of 123 user(s) match').waitFor();
  const row = table(page).getByRole('row', { name: /cy@example\.com/ });
  await row.getByText('retrying', { exact: true }).waitFor();
  const nextTry = await row.getByText(/^Next try/).innerText();
  assert.match(nextTry, /^Next try \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC \(in \d+ (s|min)\), try 2 of 4$/);
  const due = Date.parse(`${/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.exec(nextTry)![0].replace(' ', 'T')}Z`);
  assert.ok(due > Date.now() + 30_000, `the next try is still to come (${nextTry})`);
  const error = await row.getByRole('cell').nth(4).innerText();
  assert.match(error, /\w/);
  assert.doesNotMatch(error, /\u001b|\[2m|hunter|password/i);
  if (SHOTS) await ui.shoot(SHOTS, 'console-users-3-retrying');

  // The same row in the whole list, before it fails for good.
  await page.goto(`${stack.url}/console/connections/acme/users?q=cy%40`);
  await table(page).getByRole('row', { name: /cy@example\.com/ }).getByText(/^Next try/).waitFor();
});

test('the import\'s progress moves on the open page without a reload, with a time left from the measured pace', async (t) => {
  const ui = await signedIn(t, '/console/connections/acme/users');
  const { page } = ui;
  const progress = page.getByRole('status', { name: 'Import progress' });
  await progress.getByText('2 of 123 in sync').waitFor();
  assert.match(await progress.innerText(), /121 waiting \(1 retrying\)/);
  await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });

  const { provisioning } = stack.core.directory;
  for (const id of imported.slice(0, 30)) {
    await provisioning.recordRun('acme', id, { generation: 1, ok: true, runId: `run-${id}`, at: new Date().toISOString(), appRole: 'Collaborator' });
  }
  await progress.getByText(/^32 of 123 in sync, ~(under a minute|\d+ min) left · 91 waiting \(1 retrying\) · [\d.,]+ per min\.$/).waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'the page was not reloaded');
  // The bar beside the sentence follows too (hidden from assistive tech: the sentence says it).
  assert.deepEqual(await page.evaluate(() => { const bar = document.querySelector('progress')!; return [bar.value, bar.max]; }), [32, 123]);
  if (SHOTS) await ui.shoot(SHOTS, 'console-users-4-progress');

  const json = await page.request.get(`${stack.url}/console/connections/acme/users-progress.json`);
  const body = await json.json() as Record<string, number>;
  assert.equal(body.inSync, 32);
  assert.equal(body.pending, 91);
  assert.ok(body.etaSeconds! > 0 && body.perMinute! > 0);
  // Signed out, the endpoint says nothing.
  const anonymous = await fetch(`${stack.url}/console/connections/acme/users-progress.json`, { redirect: 'manual' });
  assert.equal(anonymous.status, 302);
});
