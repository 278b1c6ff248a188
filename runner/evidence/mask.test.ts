import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../browser/chromium.ts';
import { MASK_ATTRIBUTE, MASK_COLOR, maskedScreenshot } from './mask.ts';
import { decodePng, type DecodedPng } from './png-reader.ts';

let browser: Browser;
let page: Page;
before(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 640, height: 360 } });
});
after(() => browser?.close());

const secret = 'hunter2-Xq9!zz';
const [maskR, maskG, maskB] = [1, 3, 5].map((i) => parseInt(MASK_COLOR.slice(i, i + 2), 16));

async function colours(png: DecodedPng, locator: Locator): Promise<Set<string>> {
  const box = await locator.boundingBox();
  assert.ok(box && box.width > 4 && box.height > 4, 'the element is on screen');
  const seen = new Set<string>();
  // One pixel inside the box, so anti-aliased edges do not count.
  for (let y = Math.ceil(box.y) + 1; y < Math.floor(box.y + box.height) - 1; y++) {
    for (let x = Math.ceil(box.x) + 1; x < Math.floor(box.x + box.width) - 1; x++) {
      seen.add(png.pixel(x, y).join(','));
    }
  }
  return seen;
}

test('text, input values and password fields showing a secret are painted over in one solid colour', async () => {
  await page.setContent(`
    <style>body { font: 20px sans-serif; background: #fff; } input, textarea { font: 20px monospace; width: 320px; }</style>
    <p>Status: <span id="t">token ${secret} issued</span></p>
    <label>Token <input id="v" value=""></label><br>
    <label>Notes <textarea id="n">see ${secret} here</textarea></label><br>
    <label>Password <input id="p" type="password"></label>
    <p id="plain">Nothing secret here at all</p>`);
  await page.locator('#v').fill(`copy:${secret}`); // a current value, not the value attribute
  await page.locator('#p').fill('anything-typed');

  const masked = decodePng(await maskedScreenshot(page, [secret]));
  const unmasked = decodePng(await page.screenshot({ type: 'png' }));
  const solid = `${maskR},${maskG},${maskB},255`;
  for (const id of ['#t', '#v', '#n', '#p']) {
    const region = page.locator(id);
    assert.deepEqual([...await colours(masked, region)], [solid], `${id} is one solid mask colour`);
    const before = await colours(unmasked, region);
    assert.ok(before.size > 1, `${id} shows something when not masked`);
  }
  assert.ok(!(await colours(masked, page.locator('#plain'))).has(solid), 'text without a secret stays visible');
  assert.equal(await page.locator(`[${MASK_ATTRIBUTE}]`).count(), 0, 'the page is left as it was');
});

test('secrets inside an iframe are masked too', async () => {
  await page.setContent(`<iframe id="f" style="width:400px;height:120px;border:0"
    srcdoc="<p style='font:20px sans-serif'>key <span id=s>${secret}</span></p>"></iframe>`);
  const frame = page.frameLocator('#f');
  await frame.locator('#s').waitFor();
  const masked = decodePng(await maskedScreenshot(page, [secret]));
  assert.deepEqual([...await colours(masked, frame.locator('#s'))], [`${maskR},${maskG},${maskB},255`]);
});

test('a one-letter secret masks the element showing it alone, not every word with that letter', async () => {
  await page.setContent(`
    <style>body { font: 20px sans-serif; background: #fff; }</style>
    <p id="host">Could not log in to app.uxpin.invalid with these</p>
    <p>Password: <span id="pw">x</span></p>`);
  const masked = decodePng(await maskedScreenshot(page, ['x']));
  const solid = `${maskR},${maskG},${maskB},255`;
  assert.ok(!(await colours(masked, page.locator('#host'))).has(solid), 'a hostname with an x stays readable');
  assert.ok((await colours(masked, page.locator('#pw'))).has(solid), 'the secret itself is painted over');
});
