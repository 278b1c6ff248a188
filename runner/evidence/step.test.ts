import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../browser/chromium.ts';
import type { Manifest } from './manifest.ts';
import { MASK_COLOR } from './mask.ts';
import { decodePng } from './png-reader.ts';
import { createStepper } from './step.ts';
import { openRun, type RunRecorder } from './store.ts';
import { verifyEvidence } from './verify.ts';
import { filesUnder } from '../../test/support/files.ts';

const secret = 'S3cr3t&Token<9>zQ';
const typedPassword = 'correct-horse-battery-42';

let browser: Browser;
let server: Server;
let baseUrl: string;
const dirs: string[] = [];
before(async () => {
  browser = await launchChromium();
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>Admin</title><style>body{font:18px sans-serif}</style>
      <h1>Members</h1>
      <label>Email <input name="email"></label>
      <label>Password <input name="password" type="password"></label>
      <p id="banner"></p><button onclick="document.querySelector('#banner').textContent='Invited'">Invite</button>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Harness {
  recordingsDir: string;
  recorder: RunRecorder;
  page: Page;
  logs: string[];
  step: ReturnType<typeof createStepper>;
  /** Set to false to simulate an API-only run (no browser open yet). */
  browserOpen: { value: boolean };
}

async function harness(t: { after: (fn: () => Promise<void>) => void }, secrets: string[] = []): Promise<Harness> {
  const recordingsDir = await mkdtemp(join(tmpdir(), 'scimwright-step-'));
  dirs.push(recordingsDir);
  const recorder = await openRun({ recordingsDir, connectionId: 'uxpin-acme', runId: 'run-1', startedAt: new Date(), secrets: () => secrets });
  const context = await browser.newContext({ viewport: { width: 800, height: 400 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const logs: string[] = [];
  const browserOpen = { value: true };
  const step = createStepper({
    recorder,
    page: () => (browserOpen.value ? page : undefined),
    secrets: () => secrets,
    log: (message, fields) => logs.push(`${message} ${JSON.stringify(fields ?? {})}`),
  });
  return { recordingsDir, recorder, page, logs, step, browserOpen };
}

const seal = (h: Harness, outcome: Manifest['outcome'] = 'succeeded') =>
  h.recorder.seal({ outcome, attempt: 1, trigger: { scimRequestId: 'req-1', userId: 'u-1' } });

test('a run with two steps seals a manifest that verifies; one edited screenshot byte is named', async (t) => {
  const h = await harness(t);
  await h.step('open members', () => h.page.goto(`${baseUrl}/members`));
  await h.step('invite user', async () => {
    await h.page.getByLabel('Email').fill('new.user@example.com');
    await h.page.getByRole('button', { name: 'Invite' }).click();
  });
  const manifest = await seal(h);
  assert.deepEqual(manifest.steps.map((s) => [s.index, s.name, s.outcome, s.files]), [
    [1, 'open members', 'succeeded', ['001-open-members-before.png', '002-open-members-after.png']],
    // Nothing happened between the two steps: the second one's before-shot is the first one's after-shot.
    [2, 'invite user', 'succeeded', ['002-open-members-after.png', '003-invite-user-after.png']],
  ]);
  assert.equal(manifest.steps[1]?.url, `${baseUrl}/members`);
  assert.deepEqual((await verifyEvidence(h.recordingsDir)).problems, []);

  const shot = join(h.recorder.dir, '003-invite-user-after.png');
  const bytes = await readFile(shot);
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x40;
  await writeFile(shot, bytes);
  const result = await verifyEvidence(h.recordingsDir);
  assert.equal(result.ok, false);
  assert.deepEqual([result.problems[0]?.kind, result.problems[0]?.path],
    ['tampered', `uxpin-acme/${h.recorder.dir.split('/').slice(-2).join('/')}/003-invite-user-after.png`]);
});

test('an unchanged screen is named again, not captured twice; typing, a new secret or a navigation means a new screenshot', async (t) => {
  const h = await harness(t);
  await h.step('open members', () => h.page.goto(`${baseUrl}/members`));
  await h.step('read the list', async () => h.page.getByRole('heading', { name: 'Members' }).innerText());
  await h.step('type an address', () => h.page.getByLabel('Email').fill('someone@example.com'));
  await h.step('log in', async () => undefined, { secrets: ['a-new-secret-value'] });
  await h.step('click invite', () => h.page.getByRole('button', { name: 'Invite' }).click());
  await h.step('reload', async () => { await h.page.reload(); });
  const manifest = await seal(h);
  assert.deepEqual(manifest.steps.map((s) => [s.name, s.files]), [
    ['open members', ['001-open-members-before.png', '002-open-members-after.png']],
    ['read the list', ['002-open-members-after.png', '002-open-members-after.png']],
    ['type an address', ['002-open-members-after.png', '003-type-an-address-after.png']],
    // A secret the earlier shot did not mask: captured again though nothing changed.
    ['log in', ['004-log-in-before.png', '004-log-in-before.png']],
    ['click invite', ['004-log-in-before.png', '005-click-invite-after.png']],
    ['reload', ['005-click-invite-after.png', '006-reload-after.png']],
  ]);
  assert.match(manifest.steps[1]!.notes[0]!, /^before screenshot: the screen is unchanged since 002-open-members-after\.png/);
  assert.deepEqual(manifest.files.map((f) => f.name), [
    '001-open-members-before.png', '002-open-members-after.png', '003-type-an-address-after.png',
    '004-log-in-before.png', '005-click-invite-after.png', '006-reload-after.png',
  ]);
  assert.deepEqual((await verifyEvidence(h.recordingsDir)).problems, []);
});

test('a failing step records a screenshot and redacted HTML, then rethrows the original error', async (t) => {
  const h = await harness(t, [secret]);
  await h.page.goto(`${baseUrl}/members?token=${encodeURIComponent(secret)}`);
  const original = new Error(`seat limit reached while using ${secret}`);
  await assert.rejects(h.step('invite user', async () => {
    await h.page.evaluate((s) => { document.querySelector('#banner')!.textContent = `Your API token: ${s}`; }, secret);
    await h.page.getByLabel('Email').fill(`ref ${secret}`);
    await h.page.getByLabel('Password').fill(typedPassword);
    await h.page.evaluate((s) => document.body.insertAdjacentHTML('beforeend', `<input type="password" value="${s}x">`), typedPassword);
    throw original;
  }), (error) => error === original);
  const manifest = await seal(h, 'failed');
  const [entry] = manifest.steps;
  assert.equal(entry?.outcome, 'failed');
  assert.equal(entry?.error, 'Error: seat limit reached while using [REDACTED]');
  assert.ok(entry?.url?.includes('token=[REDACTED]'), entry?.url ?? '');
  assert.deepEqual(entry?.files, ['001-invite-user-before.png', '002-invite-user-failed.png', '003-invite-user-failed.html']);
  const html = await readFile(join(h.recorder.dir, '003-invite-user-failed.html'), 'utf8');
  assert.match(html, /Your API token: \[REDACTED\]/);
  assert.match(html, /<h1>Members<\/h1>/);

  // The failure screenshot shows the page as it was, with the secret painted over.
  const png = decodePng(await readFile(join(h.recorder.dir, '002-invite-user-failed.png')));
  for (const label of ['#banner', 'input[name=email]']) {
    const box = (await h.page.locator(label).boundingBox())!;
    const mid = png.pixel(Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2));
    assert.equal(`#${mid.slice(0, 3).map((c) => c.toString(16).padStart(2, '0')).join('')}`.toUpperCase(), MASK_COLOR, label);
  }

  // No byte written anywhere may hold a secret, in any usual encoding.
  const forbidden = [secret, typedPassword].flatMap((s) => [
    s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url'), encodeURIComponent(s),
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  ]);
  const files = await filesUnder(h.recordingsDir);
  assert.ok(files.length >= 5, 'screenshots, HTML, manifest and chain head were written');
  for (const file of files) {
    const bytes = await readFile(file);
    for (const needle of forbidden) assert.equal(bytes.indexOf(Buffer.from(needle)), -1, `${needle} found in ${file}`);
  }
  assert.deepEqual((await verifyEvidence(h.recordingsDir)).problems, []);
});

test('steps nest and run without a browser or with a closed page, with entries but no screenshots', async (t) => {
  const h = await harness(t);
  h.browserOpen.value = false;
  const value = await h.step('read token via API', async () => h.step('call API', async () => 42));
  assert.equal(value, 42);
  h.browserOpen.value = true;
  await h.page.close(); // every capture of the next step now fails
  const result = await h.step('after close', async () => 'still returned');
  assert.equal(result, 'still returned');
  const boom = new TypeError('original');
  await assert.rejects(h.step('fails too', async () => { throw boom; }), (e) => e === boom);
  const manifest = await seal(h, 'failed');
  assert.deepEqual(manifest.steps.map((s) => [s.index, s.parent, s.url, s.files.length]), [
    [1, null, null, 0], [2, 1, null, 0], [3, null, null, 0], [4, null, null, 0],
  ]);
  assert.deepEqual(manifest.files, []);
  assert.equal(manifest.steps[3]?.error, 'TypeError: original');
  assert.deepEqual((await verifyEvidence(h.recordingsDir)).problems, []);
});

test('a capture that throws is noted in the manifest and logged, and the step still succeeds', async (t) => {
  const h = await harness(t);
  await h.page.setContent('<p>hello</p>');
  const broken = { ...h, step: createStepper({
    recorder: h.recorder,
    page: () => { throw new Error('browser gone'); },
    secrets: () => [],
    log: (message) => h.logs.push(message),
  }) };
  assert.equal(await broken.step('lookup', async () => 'ok'), 'ok');
  const manifest = await seal(h);
  assert.deepEqual(manifest.steps[0]?.notes, ['before page not captured: Error: browser gone', 'after page not captured: Error: browser gone']);
  assert.equal(h.logs.length, 2);
});

