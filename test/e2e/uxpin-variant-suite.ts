/**
 * An IdP scenario suite run once per UXPin sandbox presentation variant: one Redis and one
 * Chromium for the file, a fresh stack per variant, every scenario against each. The variants
 * are what keeps the connector honest about screens the app notes leave open.
 */
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../runner/browser/chromium.ts';
import { VARIANT_NAMES } from '../sandboxes/uxpin/index.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startStack, type Stack } from '../support/stack.ts';

export interface VariantSuite {
  /** Registers a scenario; it runs once per variant, against that variant's stack. */
  scenario(name: string, fn: () => Promise<void>): void;
  /** Declares the per-variant blocks: call once, after every scenario. */
  run(): void;
}

/** `useStack` receives each variant's stack before its scenarios run. */
export function uxpinVariantSuite(seed: number, useStack: (stack: Stack) => void): VariantSuite {
  let redis: TestRedis;
  let browser: Browser;
  before(async () => {
    [redis, browser] = await Promise.all([startRedis(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await redis?.stop();
  });
  const scenarios: Array<[name: string, fn: () => Promise<void>]> = [];
  return {
    scenario: (name, fn) => void scenarios.push([name, fn]),
    run() {
      for (const variant of VARIANT_NAMES) {
        describe(`sandbox variant ${variant}`, () => {
          let stack: Stack | undefined;
          before(async () => {
            stack = await startStack({ redisUrl: redis.url, browser, sandbox: { seed, variant }, timing: { attempts: 3, backoff: { baseMs: 200, maxMs: 1000 } } });
            useStack(stack);
          });
          after(() => stack?.close());
          for (const [name, fn] of scenarios) test(name, fn);
        });
      }
    },
  };
}
