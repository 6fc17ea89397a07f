import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoForFile, screenshot, signedIn } from '../../support/web.js';

/**
 * Who sees what in the Recordings area, in a real Chromium against the demo: each default role's
 * navigation; an agent finds only their own calls and hears only their own snippet; an assigned
 * evaluator hears the call they evaluate; a user's ad-hoc inbox; and a narrow window.
 */

const shared = demoForFile();

const rows = (page: Page) => page.locator('table.results tbody tr');
const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
/** Opens the demo's sales call (Pat Caller, +15550100) from the search. */
async function openSalesCall(page: Page) {
  await page.goto('/interactions');
  await rows(page).filter({ hasText: '+15550100' }).getByRole('link').click();
  await page.locator('main').getByRole('heading', { name: 'Recordings' }).waitFor();
  await page.getByTestId('player').or(page.getByText('No recordings you may play')).waitFor();
}
const kinds = (page: Page) => page.locator('article[data-kind]').evaluateAll((list) => list.map((a) => a.getAttribute('data-kind')));

describe('recordings area by role', () => {
  it.each(['admin', 'carol', 'erin', 'alice', 'bob', 'dave'])('%s finds Interactions and My recordings in the navigation', async (username) => {
    const { context, page, errors } = await signedIn(shared.browser, shared.demo, username);
    await page.waitForURL('**/interactions');
    const recordings = nav(page).locator('div').filter({ has: page.getByRole('heading', { name: 'Recordings' }) });
    expect(await recordings.getByRole('link').allInnerTexts()).toEqual(['Interactions', 'My recordings']);
    if (username === 'alice' || username === 'bob' || username === 'dave') {
      // Agents and users administer nothing.
      expect(await nav(page).getByRole('heading', { name: 'Administration' }).count()).toBe(0);
    }
    await rows(page).first().or(page.getByText('No interactions match')).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an agent finds only the calls they took part in, hears only their own snippet, and downloads nothing', async () => {
    const { context, page, errors } = await signedIn(shared.browser, shared.demo, 'alice');
    await rows(page).first().waitFor();
    const people = await rows(page).locator('td:nth-child(5)').allInnerTexts();
    expect(people.length).toBe(3);
    for (const p of people) expect(p).toContain('Alice Agent');
    // No directory permission: the agent filter is a free-text field, not a list of everyone.
    expect(await page.getByLabel('Agent').evaluate((e) => e.tagName)).toBe('INPUT');

    await openSalesCall(page);
    expect(await kinds(page)).toEqual(['snippet']);
    expect(await page.getByText('The timeline of the call is shown to holders of conversation:conversation:view.').isVisible()).toBe(true);
    const snippet = page.getByRole('article', { name: 'Snippet recording' });
    expect(await snippet.innerText()).toContain('a snippet you captured');
    await snippet.getByTestId('player').waitFor();
    expect(await page.getByRole('button', { name: 'Download' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Add bookmark/ }).count()).toBe(0);

    // The consult call she took part in holds nothing of hers to hear.
    await page.goto('/interactions?phone=0142');
    await rows(page).first().getByRole('link').click();
    await page.getByText('No recordings you may play').waitFor();
    expect(await kinds(page)).toEqual([]);
    // She took part in the call: the API lists what she may hear (nothing), without a refusal.
    expect(errors).toEqual([]);
    await context.close();
  });

  it('another agent does not find her calls at all', async () => {
    const { context, page, errors } = await signedIn(shared.browser, shared.demo, 'bob');
    await rows(page).first().waitFor();
    expect(await rows(page).filter({ hasText: '+15550100' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an assigned evaluator hears the call she evaluates (not the snippet) and finds the assignment in My recordings', async () => {
    const { context, page, errors } = await signedIn(shared.browser, shared.demo, 'erin');
    await openSalesCall(page);
    expect(await kinds(page)).toEqual(['trunk']);
    const trunk = page.getByRole('article', { name: 'Trunk recording' });
    expect(await trunk.innerText()).toContain('you are assigned to evaluate this call');
    await trunk.getByRole('button', { name: /Add bookmark/ }).waitFor();
    expect(await trunk.getByRole('button', { name: 'Download' }).count()).toBe(0);

    await nav(page).getByRole('link', { name: 'My recordings' }).click();
    await page.getByRole('heading', { name: 'Evaluations assigned to you' }).waitFor();
    expect(await page.locator('table').last().innerText()).toMatch(/alice\s+erin\s+pending/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a user's ad-hoc recording is in his inbox, and he may play and download it", async () => {
    const { context, page, errors } = await signedIn(shared.browser, shared.demo, 'dave');
    await nav(page).getByRole('link', { name: 'My recordings' }).click();
    const inbox = page.locator('table').first();
    await inbox.waitFor();
    expect(await inbox.locator('tbody tr').count()).toBe(1);
    expect(await inbox.innerText()).toContain('Ad-hoc');
    expect(await page.getByText('No snippets').isVisible()).toBe(true);
    await screenshot(page, 'my-recordings');

    await inbox.getByRole('link', { name: 'Play' }).click();
    const adhoc = page.getByRole('article', { name: 'Ad-hoc recording' });
    await adhoc.getByTestId('player').waitFor();
    expect(await kinds(page)).toEqual(['adhoc']);
    await adhoc.getByRole('button', { name: 'Download' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), adhoc.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.(wav|opus|ogg)$/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works in a narrow window: the menu opens the navigation, tables scroll inside the page, the player fits', async () => {
    const { context, page, errors } = await signedIn(shared.browser, shared.demo, 'carol', { width: 390, height: 844 });
    await rows(page).first().waitFor();
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await nav(page).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav(page).getByRole('link', { name: 'Interactions' }).waitFor();
    await screenshot(page, 'interactions-narrow');
    await nav(page).getByRole('link', { name: 'Interactions' }).click();

    await rows(page).filter({ hasText: '+15550100' }).getByRole('link').click();
    const player = page.getByTestId('player');
    await player.waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await player.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(async () => Number(await page.getByTestId('playhead').getAttribute('data-position')), { timeout: 10_000 }).toBeGreaterThan(0.3);
    expect(errors).toEqual([]);
    await context.close();
  });
});
