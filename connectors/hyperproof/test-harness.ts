/** A Hyperproof sandbox, a browser context and a test ConnectorContext on it, closed after the test. */
import type { TestContext as NodeTest } from 'node:test';
import type { Browser } from 'playwright-core';
import { startHyperproofSandbox, type HyperproofSandbox, type HyperproofSandboxOptions } from '../../test/sandboxes/hyperproof/server.ts';
import type { HyperproofVariant } from '../../test/sandboxes/hyperproof/variants.ts';
import { makeTestContext } from '../lib/hybrid/test-context.ts';
import type { HyperproofSettings } from './settings.ts';

export async function hyperproofHarness(t: NodeTest, browser: Browser, variant: HyperproofVariant, options: HyperproofSandboxOptions = {}, totpSecret?: string) {
  const sandbox = await startHyperproofSandbox({ ...options, presentation: variant.presentation });
  const context = await browser.newContext();
  const page = await context.newPage();
  t.after(async () => {
    await context.close();
    await sandbox.stop();
  });
  const credentials = { email: 'admin@example.com', password: 'correct horse battery staple', ...(totpSecret ? { totpSecret } : {}) };
  const ctx = makeTestContext<HyperproofSettings>({ baseUrl: sandbox.url, settings: {}, page: async () => page, credentials });
  return { sandbox, ctx };
}

/** Whether the SCIM API accepts `token` now. */
export async function accepted(sandbox: HyperproofSandbox, token: string): Promise<boolean> {
  const res = await fetch(`${sandbox.endpointUrl}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
  return res.status === 200;
}
