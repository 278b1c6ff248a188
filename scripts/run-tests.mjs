#!/usr/bin/env node
// Runs every *.test.ts under the source folders with Node's test runner (Node 20 does not expand
// globs itself). Extra arguments narrow the run: `npm test -- api core/scim`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : ['core', 'api', 'runner', 'connectors', 'test', 'bin', 'bench'];

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = roots.flatMap((r) => {
  const abs = join(root, r);
  try { return statSync(abs).isFile() ? [r] : walk(abs, []); } catch { return []; }
}).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// The few @playwright/test specs (test/playwright) run first, so that the closing lines are the
// node runner's summary; both must pass.
let playwrightStatus = 0;
if (process.argv.slice(2).length === 0) {
  const pw = spawnSync(process.execPath, [join(root, 'node_modules/@playwright/test/cli.js'), 'test'], {
    cwd: root, stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  playwrightStatus = pw.status ?? 1;
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=tap', `--test-concurrency=${concurrency}`,
  // A test that hangs fails after 15 minutes instead of stalling CI; a file that leaves a handle
  // open after its tests finish must not keep the run alive either.
  '--test-timeout=900000', '--test-force-exit',
  ...files,
], { cwd: root, stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
process.exit(result.status === 0 && playwrightStatus === 0 ? 0 : (result.status || playwrightStatus || 1));
