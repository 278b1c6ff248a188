/** The connection's page, on the app: a fresh page (about:blank) is sent to the app's root first. */
import type { Page } from 'playwright-core';
import type { HyperproofContext } from './settings.ts';

export async function appPage(ctx: HyperproofContext): Promise<Page> {
  const page = await ctx.page();
  if (!/^https?:/.test(page.url())) await page.goto(new URL('/', ctx.baseUrl).toString());
  return page;
}
