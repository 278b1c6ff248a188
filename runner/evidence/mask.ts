/**
 * Masked screenshots. Before a screenshot, every element that shows a secret is covered by a solid
 * box (Playwright's `mask`): password inputs, inputs and textareas whose current value (a property
 * CSS cannot see) or placeholder contains a secret, and the innermost elements whose text contains
 * one. CSS selectors are fine here in runner/; connectors locate by role and label instead.
 *
 * Text is matched twice: by marking elements in the page just before the screenshot, and with
 * `getByText`, which Playwright resolves again at capture time (in case the app re-rendered).
 */
import type { Frame, Locator, Page, PageScreenshotOptions } from 'playwright-core';

import { MIN_MASKABLE_SECRET } from './redact.ts';

export { redactHtml, redactText } from './redact.ts';

/** The solid colour masked regions are painted with. */
export const MASK_COLOR = '#FF00FF';
/** Attribute set on elements to mask for the length of one screenshot. */
export const MASK_ATTRIBUTE = 'data-scimwright-mask';

/*
 * Functions that run in the page are kept as source text: written in TypeScript, tsx's esbuild
 * would wrap inner functions in a `__name` helper that does not exist in the page
 * ("ReferenceError: __name is not defined"). `inPage` turns the text into a real function, as
 * page.evaluate() only passes arguments to functions (a string is evaluated as an expression).
 */
function inPage<Arg, R>(source: string): (arg: Arg) => R {
  return new Function(`return ${source}`)() as (arg: Arg) => R;
}

const markElements = inPage<{ secrets: string[]; attr: string; min: number }, number>(`({ secrets, attr, min }) => {
  // A short secret is looked for as a whole token only, as in redact.ts (else "x" masks every word with an x).
  const tests = secrets.map((s) => {
    if (s.length >= min) return (text) => text.includes(s);
    const re = new RegExp('(?<![\\\\p{L}\\\\p{N}])' + s.replace(/[.*+?^\${}()|[\\]\\\\]/g, '\\\\$&') + '(?![\\\\p{L}\\\\p{N}])', 'u');
    return (text) => re.test(text);
  });
  const hit = (text) => typeof text === 'string' && text !== '' && tests.some((t) => t(text));
  const roots = [document];
  let count = 0;
  while (roots.length > 0) {
    const root = roots.pop();
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) roots.push(el.shadowRoot);
      let mark;
      if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') {
        mark = el.type === 'password' || hit(el.value) || hit(el.placeholder);
      } else if (el.tagName === 'SELECT') {
        mark = hit(el.value) || [...el.selectedOptions].some((o) => hit(o.text));
      } else {
        mark = hit(el.textContent) && ![...el.children].some((child) => hit(child.textContent));
      }
      if (mark) { el.setAttribute(attr, ''); count++; }
    }
  }
  return count;
}`);

const unmarkElements = inPage<string, void>(`(attr) => {
  const roots = [document];
  while (roots.length > 0) {
    const root = roots.pop();
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) roots.push(el.shadowRoot);
      el.removeAttribute(attr);
    }
  }
}`);

function usable(secrets: readonly string[]): string[] {
  return [...new Set(secrets.filter((s) => s.trim() !== ''))];
}

/**
 * Marks what must be hidden in every frame of `page` and returns the locators to pass as `mask`.
 * Throws when a frame cannot be inspected: a caller that cannot mask must not take the screenshot.
 */
export async function maskLocators(page: Page, secrets: readonly string[]): Promise<Locator[]> {
  const list = usable(secrets);
  const locators: Locator[] = [];
  for (const frame of page.frames()) {
    if (frame.isDetached()) continue;
    await frame.evaluate(markElements, { secrets: list, attr: MASK_ATTRIBUTE, min: MIN_MASKABLE_SECRET });
    locators.push(...frameLocators(frame, list));
  }
  return locators;
}

function frameLocators(frame: Frame, secrets: readonly string[]): Locator[] {
  return [
    frame.locator('input[type=password]'),
    frame.locator(`[${MASK_ATTRIBUTE}]`),
    // getByText matches substrings: a short secret must be an element's whole text instead.
    ...secrets.map((secret) => frame.getByText(secret, { exact: secret.length < MIN_MASKABLE_SECRET })),
  ];
}

/** Removes the marks again (best effort: a frame may have navigated away meanwhile). */
export async function clearMaskMarks(page: Page): Promise<void> {
  await Promise.all(page.frames().map((frame) => frame.evaluate(unmarkElements, MASK_ATTRIBUTE).catch(() => undefined)));
}

/** Screenshot options for evidence: viewport PNG, animations stopped, caret hidden, secrets masked. */
export async function maskedScreenshotOptions(page: Page, secrets: readonly string[], timeoutMs = 10_000): Promise<PageScreenshotOptions> {
  return {
    type: 'png',
    fullPage: false,
    animations: 'disabled',
    caret: 'hide',
    mask: await maskLocators(page, secrets),
    maskColor: MASK_COLOR,
    timeout: timeoutMs,
  };
}

/** A PNG of the viewport with every secret masked; the page is left as it was found. */
export async function maskedScreenshot(page: Page, secrets: readonly string[], timeoutMs = 10_000): Promise<Buffer> {
  try {
    return await page.screenshot(await maskedScreenshotOptions(page, secrets, timeoutMs));
  } finally {
    await clearMaskMarks(page);
  }
}
