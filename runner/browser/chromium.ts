/**
 * Finds a Chromium to drive. Playwright's own browser download cannot work on our machines, so the
 * order is: CHROMIUM_PATH, a Playwright-managed browser if one happens to be installed, Debian's.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Flags that work as root on a closed network (see shared/PLATFORM.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

const DEBIAN_CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`);
    return env.CHROMIUM_PATH;
  }
  const managed = safeManagedPath();
  if (managed && existsSync(managed)) return managed;
  const debian = DEBIAN_CANDIDATES.find((p) => existsSync(p));
  if (debian) return debian;
  throw new Error('No Chromium found: set CHROMIUM_PATH or run `apt-get install -y --no-install-recommends chromium`');
}

function safeManagedPath(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    headless: true,
    ...options,
    executablePath: findChromium(),
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}
