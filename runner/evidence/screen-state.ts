/**
 * Whether the screen changed since the last screenshot, without taking another one. The page
 * counts what can change what it shows: DOM mutations (a MutationObserver on the whole document),
 * typing, choices, focus, scrolling, resizing and loaded images. A state is that count with a
 * per-document id, the scroll position and the viewport size; two equal states mean the same
 * screen. A new document (a navigation) has a new id. Where the count cannot see everything (a
 * shadow root or a second frame) there is no state, and the step wrapper captures as before.
 */
import type { Page } from 'playwright-core';

/** The window property holding the counter; not enumerable, so the app's own code does not see it. */
const KEY = '__scimwrightScreenState';

/*
 * Kept as source text like mask.ts's in-page functions (tsx would wrap inner functions in a
 * `__name` helper the page does not have).
 */
const readState = new Function(`return (key) => {
  if (window.top !== window || window.frames.length > 0) return null;
  for (const el of document.querySelectorAll('*')) if (el.shadowRoot) return null;
  let s = window[key];
  if (!s) {
    s = { id: Math.random().toString(36).slice(2), n: 0 };
    s.observer = new MutationObserver((records) => { s.n += records.length; });
    s.observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    const bump = () => { s.n += 1; };
    for (const type of ['input', 'change', 'focusin', 'focusout', 'scroll', 'resize', 'load', 'toggle']) {
      window.addEventListener(type, bump, true);
    }
    Object.defineProperty(window, key, { value: s, enumerable: false });
  }
  s.n += s.observer.takeRecords().length;
  return s.id + ':' + s.n + ':' + scrollX + ',' + scrollY + ':' + innerWidth + 'x' + innerHeight;
}`)() as (key: string) => string | null;

/** The page's screen state now (see above), or undefined where it cannot be told. */
export async function screenState(page: Page): Promise<string | undefined> {
  if (page.frames().length > 1) return undefined;
  const state = await page.evaluate(readState, KEY);
  return state === null ? undefined : `${page.url()}|${state}`;
}
