/**
 * `tsx bin/demo.ts` end to end (SCIMWRIGHT_DEMO_EXIT=1 ends it after the walk-through): stdout holds
 * only the human lines with the console URL and the CLI's exports, the JSON logs are in the printed
 * file, and nothing (no Node warning) reaches stderr.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { ROOT, tempDirs } from './start-process.ts';

const dirs = tempDirs();
after(() => dirs.remove());

test('the demo prints the console URL and the exports apart from its JSON logs', { timeout: 150_000 }, async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env, SCIMWRIGHT_DATA_DIR: dirs.dataDir, SCIMWRIGHT_RECORDINGS_DIR: dirs.recordingsDir,
    SCIMWRIGHT_DEMO_EXIT: '1', REDIS_URL: '', HOST: '127.0.0.1', LOG_LEVEL: 'info',
  };
  delete env.PORT; // the demo then takes a free port
  delete env.SCIMWRIGHT_ADMIN_TOKEN;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bin/demo.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  assert.equal(code, 0, `demo failed:\n${stdout}\n${stderr}`);
  assert.equal(stderr, '', 'nothing on stderr: no warnings');

  const origin = /^ {2}export SCIMWRIGHT_URL=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)?.[1];
  assert.ok(origin, `SCIMWRIGHT_URL export in:\n${stdout}`);
  assert.match(stdout, /^ {2}export SCIMWRIGHT_ADMIN_TOKEN=swa_demo_[A-Za-z0-9_-]{20,}$/m);
  assert.ok(stdout.includes(`Console:   ${origin}/console`), 'console URL printed');
  assert.ok(!/^\{/m.test(stdout), 'no JSON log line on stdout');

  const logFile = /Logs: +(\S+demo\.log)/.exec(stdout)?.[1];
  assert.equal(logFile, `${dirs.dataDir}/demo.log`);
  const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const scimPost = lines.find((line) => line.msg === 'request completed' && line.route === '/scim/v2/:connectionId/Users');
  assert.ok(scimPost, 'the SCIM POST is in the log file');
  assert.equal(scimPost.method, 'POST');
  assert.equal(scimPost.status, 201);
  assert.equal(typeof scimPost.responseTime, 'number');
  const token = /export TOKEN=(\S+)/.exec(stdout)?.[1];
  assert.ok(token && !readFileSync(logFile, 'utf8').includes(token), 'the SCIM token is not in the logs');
});
