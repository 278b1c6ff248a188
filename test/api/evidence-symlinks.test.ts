/**
 * Issue 11, findings 4 and 5: a symlink planted in a run folder is never followed by the admin
 * files route, the console's evidence route or the export zip; a listed file that is gone is a 404.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RunRecordView } from '../../api/admin/runs.ts';
import { exportEvidence } from '../../runner/evidence/export.ts';
import { extractZip } from '../../runner/evidence/export-verify.ts';
import { openRun } from '../../runner/evidence/store.ts';
import { filesUnder } from '../support/files.ts';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../support/gateway.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const SECRET = 'the-master-key-that-must-never-leave';
const RUN_DIR = 'acme/2025-03-01/run-a';
let redis: TestRedis;
let gw: TestGateway;
let base: string;
let recordings: string;
let files: string[];
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'scimwright-symlink-'));
  recordings = join(base, 'recordings');
  await mkdir(join(base, 'data'));
  await writeFile(join(base, 'data', 'secret.key'), SECRET);
  const recorder = await openRun({ recordingsDir: recordings, connectionId: 'acme', runId: 'run-a', startedAt: '2025-03-01T10:00:00.000Z' });
  const shot = await recorder.writeFile('invite-before.png', Buffer.from('png-bytes'));
  const gone = await recorder.writeFile('invite-after.png', Buffer.from('png-after'));
  recorder.recordStep({
    index: 1, parent: null, name: 'invite', url: 'http://app.test/team', startedAt: '2025-03-01T10:00:00.000Z',
    endedAt: '2025-03-01T10:00:00.000Z', outcome: 'succeeded', error: null, files: [shot, gone], notes: [],
  });
  await recorder.seal({ outcome: 'succeeded', attempt: 1, trigger: { userId: 'u1', requestId: 'req-a' }, endedAt: '2025-03-01T10:00:00.000Z' });
  // What a local attacker plants: a screenshot name that points at the key, and a linked run folder.
  await symlink(join(base, 'data', 'secret.key'), join(recordings, RUN_DIR, '009-planted.png'));
  await unlink(join(recordings, RUN_DIR, gone));
  files = [shot, gone, '009-planted.png'];

  redis = await startRedis();
  gw = await startGateway(redis.url, { recordingsDir: recordings });
  const run: RunRecordView = { runId: 'run-a', connectionId: 'acme', status: 'succeeded', evidence: { dir: RUN_DIR, files } };
  gw.app.scimwright.runs = { list: async () => [run], get: async (id) => (id === 'run-a' ? run : null) };
});

after(async () => {
  await gw?.close();
  await redis?.stop();
  await rm(base, { recursive: true, force: true });
});

async function consoleCookie(): Promise<string> {
  const form = await gw.app.inject({ method: 'GET', url: '/console/login' });
  const nonce = /name="_login" value="([^"]+)"/.exec(form.body)![1]!;
  const raw = form.headers['set-cookie'];
  const loginCookie = (Array.isArray(raw) ? raw : [String(raw)]).find((c) => c.startsWith('sw_console_login='))!.split(';')[0]!;
  const res = await gw.app.inject({
    method: 'POST', url: '/console/login', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _login: nonce, token: ADMIN_TOKEN }).toString(),
  });
  const set = res.headers['set-cookie'];
  return (Array.isArray(set) ? set : [String(set)]).find((c) => c.startsWith('sw_console='))!.split(';')[0]!;
}

test('admin files route: a real file is served, a planted symlink is a 404 that never shows the target', async () => {
  const ok = await gw.app.inject({ method: 'GET', url: `/admin/v1/runs/run-a/files/${files[0]}`, headers: admin });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.body, 'png-bytes');
  const planted = await gw.app.inject({ method: 'GET', url: '/admin/v1/runs/run-a/files/009-planted.png', headers: admin });
  assert.equal(planted.statusCode, 404);
  assert.doesNotMatch(planted.body, new RegExp(SECRET));
});

test('admin files route: a listed file that is missing is a 404, not a 500', async () => {
  const res = await gw.app.inject({ method: 'GET', url: `/admin/v1/runs/run-a/files/${files[1]}`, headers: admin });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().error.code, 'not_found');
});

test("console evidence route: a planted symlink is a 404", async () => {
  const cookie = await consoleCookie();
  const ok = await gw.app.inject({ method: 'GET', url: `/console/evidence/run-a/${files[0]}`, headers: { cookie } });
  assert.equal(ok.statusCode, 200);
  const planted = await gw.app.inject({ method: 'GET', url: '/console/evidence/run-a/009-planted.png', headers: { cookie } });
  assert.equal(planted.statusCode, 404);
  assert.doesNotMatch(planted.body, new RegExp(SECRET));
});

test('a symlinked run folder is refused as a whole, even when it points inside the recordings', async () => {
  const linked = 'acme/2025-03-01/run-b';
  await symlink(join(recordings, RUN_DIR), join(recordings, linked));
  const run: RunRecordView = { runId: 'run-b', connectionId: 'acme', status: 'succeeded', evidence: { dir: linked, files } };
  const saved = gw.app.scimwright.runs;
  gw.app.scimwright.runs = { list: async () => [run], get: async () => run };
  try {
    const res = await gw.app.inject({ method: 'GET', url: `/admin/v1/runs/run-b/files/${files[0]}`, headers: admin });
    assert.equal(res.statusCode, 404);
  } finally {
    gw.app.scimwright.runs = saved;
    await unlink(join(recordings, linked));
  }
});

test('export zip: the planted symlink is not shipped, the real files are', async () => {
  const made = await exportEvidence(recordings, { connectionId: 'acme' });
  const zip = join(base, 'out.zip');
  await pipeline(made.stream, createWriteStream(zip));
  const out = join(base, 'unzipped');
  await extractZip(zip, out);
  const names = (await filesUnder(out)).map((p) => p.slice(out.length + 1));
  assert.ok(names.includes(`evidence/${RUN_DIR}/${files[0]}`), names.join(', '));
  assert.ok(names.includes(`evidence/${RUN_DIR}/manifest.json`), names.join(', '));
  assert.ok(!names.some((n) => n.endsWith('009-planted.png')), names.join(', '));
  for (const name of await readdir(join(out, 'evidence', RUN_DIR))) assert.notEqual(name, '009-planted.png');
});
