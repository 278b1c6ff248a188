#!/usr/bin/env node
// Installs what a fresh machine lacks: npm packages, then Debian's redis-server and chromium.
// Plain JS with no dependencies: it runs before node_modules exists.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dropKnownEngineWarnings } from './npm-engine-noise.mjs';

const root = new URL('..', import.meta.url).pathname;
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

function needsNpm() {
  const marker = `${root}node_modules/.package-lock.json`;
  if (!existsSync(marker)) return true;
  return statSync(`${root}package-lock.json`).mtimeMs > statSync(marker).mtimeMs;
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function chromiumFound() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH);
  return existsSync('/usr/lib/chromium/chromium') || existsSync('/usr/bin/chromium');
}

if (needsNpm()) {
  console.error('[setup] installing npm packages (npm ci)…');
  // stderr is read back to drop one known, harmless engine warning (see npm-engine-noise.mjs).
  const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8' });
  process.stderr.write(dropKnownEngineWarnings(ci.stderr ?? ''));
  if (ci.status !== 0) process.exit(ci.status ?? 1);
}

const missing = [];
if (!has('redis-server') && !process.env.REDIS_URL) missing.push('redis-server');
if (!chromiumFound()) missing.push('chromium');
if (missing.length > 0) {
  const line = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`[setup] missing: ${missing.join(', ')}. Install them as root with:\n  ${line}`);
    process.exit(1);
  }
  console.error(`[setup] installing ${missing.join(', ')} with apt-get…`);
  execSync(line, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
