import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoForFile, screenshot, signedIn } from '../../support/web.js';

/**
 * Finding and playing interactions in a real Chromium against the demo, as the supervisor:
 * the search with its filters, sorting and keyset paging; the detail page with its timeline,
 * recordings and retention; the player (play, seek, speed, per-channel mute) and bookmarks.
 */

const shared = demoForFile();

const rows = (page: Page) => page.locator('table.results tbody tr');
/** The texts of one column of the results. */
const column = async (page: Page, index: number) => rows(page).locator(`td:nth-child(${index})`).allInnerTexts();
/** Submits the filters and waits for their results (not the previous ones, shown while fetching). */
const search = async (page: Page) => {
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v2/analytics/conversations/details/query'));
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await answered;
  await page.getByTestId('result-count').filter({ hasNotText: 'updating' }).or(page.getByText('No interactions match')).waitFor();
};
/** Signs in as the supervisor and opens the demo's sales call (Pat Caller, +15550100) with its player. */
async function salesCall() {
  const session = await signedIn(shared.browser, shared.demo, 'carol');
  await rows(session.page).filter({ hasText: '+15550100' }).getByRole('link').click();
  const player = session.page.getByTestId('player');
  await player.waitFor();
  return { ...session, player };
}
/** Waits until the results of page `n` are shown (not while they are still being fetched). */
const onPage = (page: Page, n: number) => page.getByTestId('result-count').filter({ hasText: new RegExp(`page ${n}$`) }).waitFor();
const position = async (page: Page) => Number(await page.getByTestId('playhead').getAttribute('data-position'));

describe('interaction search', () => {
  it('lists the demo calls and narrows them by queue, phone number, recording kind and direction; the URL keeps the filters', async () => {
    const { context, page, errors } = await signedIn(shared.browser, shared.demo, 'carol');
    await page.waitForURL('**/interactions');
    await rows(page).first().waitFor();
    expect(await rows(page).count()).toBe(5);
    expect(await page.getByTestId('result-count').innerText()).toContain('5 interactions');
    await screenshot(page, 'interactions');

    await page.getByLabel('Queue').selectOption({ label: 'Sales' });
    await search(page);
    expect(page.url()).toContain('queue=sales');
    expect(await rows(page).count()).toBe(2);
    expect(await column(page, 6)).toEqual(['Sales', 'Sales']);

    // Filters survive a reload: they live in the URL.
    await page.reload();
    await rows(page).first().waitFor();
    expect(await rows(page).count()).toBe(2);
    expect(await page.getByLabel('Queue').inputValue()).toBe('sales');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((url) => !url.search.includes('queue'), { waitUntil: 'commit' });
    await page.getByLabel('Phone number').fill('0142');
    await search(page);
    expect(await column(page, 3)).toEqual(['+15550142']);

    await page.getByLabel('Phone number').fill('');
    await page.getByLabel('Recording kind').selectOption('snippet');
    await search(page);
    expect(await column(page, 10)).toEqual([expect.stringContaining('Snippet')]);

    await page.getByLabel('Recording kind').selectOption('');
    await page.getByLabel('Direction').selectOption('outbound');
    await search(page);
    expect(await column(page, 2)).toEqual(['outbound']);

    await page.getByLabel('Direction').selectOption('internal');
    await search(page);
    await expect(page.getByText('No interactions match').isVisible()).resolves.toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sorts by duration both ways and pages forward and back with the keyset cursor', async () => {
    const { context, page, errors } = await signedIn(shared.browser, shared.demo, 'carol');
    await rows(page).first().waitFor();
    await page.getByRole('button', { name: /Duration/ }).click();
    await page.locator('th[aria-sort=descending]', { hasText: 'Duration' }).waitFor();
    const longestFirst = await column(page, 7);
    expect(longestFirst).toEqual([...longestFirst].sort().reverse());
    await page.getByRole('button', { name: /Duration/ }).click();
    await page.locator('th[aria-sort=ascending]', { hasText: 'Duration' }).waitFor();
    expect(page.url()).toContain('order=asc');
    await expect.poll(() => column(page, 7), { timeout: 10_000 }).toEqual([...longestFirst].reverse());

    // Two rows a page: three pages.
    await page.goto('/interactions?size=2');
    await rows(page).first().waitFor();
    const first = await column(page, 1);
    expect(first).toHaveLength(2);
    await page.getByRole('button', { name: 'Next' }).click();
    await onPage(page, 2);
    const second = await column(page, 1);
    expect(second).toHaveLength(2);
    expect(second).not.toEqual(first);
    await page.getByRole('button', { name: 'Next' }).click();
    await onPage(page, 3);
    expect(await rows(page).count()).toBe(1);
    await expect(page.getByRole('button', { name: 'Next' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await onPage(page, 2);
    expect(await column(page, 1)).toEqual(second);
    await page.getByRole('button', { name: 'Previous' }).click();
    await onPage(page, 1);
    expect(await column(page, 1)).toEqual(first);
    await expect(page.getByRole('button', { name: 'Previous' }).isDisabled()).resolves.toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('interaction detail and player', () => {
  it('shows the timeline and every recording with its kind, perspective, channels and retention', async () => {
    const { context, page, errors } = await salesCall();
    const timeline = page.getByTestId('timeline');
    for (const lane of ['Pat Caller (customer)', 'Main menu (ivr)', 'Sales queue (acd)', 'Alice Agent (agent)']) await timeline.getByRole('list', { name: lane }).waitFor();
    const alice = await timeline.getByRole('list', { name: 'Alice Agent (agent)' }).innerText();
    expect(alice).toMatch(/Talk[\s\S]*Hold[\s\S]*Talk[\s\S]*Wrap-up \(sale\)/);
    expect(await timeline.getByRole('list', { name: 'Pat Caller (customer)' }).innerText()).toMatch(/IVR \(main-menu\)[\s\S]*Queue \(sales\)/);

    const trunk = page.getByRole('article', { name: 'Trunk recording' });
    const snippet = page.getByRole('article', { name: 'Snippet recording' });
    expect(await trunk.innerText()).toContain('from the perspective of Pat Caller (customer)');
    expect(await trunk.innerText()).toContain('what Pat Caller (customer) hears: Main menu (ivr), Sales queue (acd), Alice Agent (agent)');
    expect(await snippet.innerText()).toContain('from the perspective of Alice Agent (agent)');
    await trunk.getByRole('button', { name: 'Download' }).waitFor();
    await trunk.getByRole('button', { name: 'Hold at 1:10.0 (15 s)' }).waitFor();
    await screenshot(page, 'interaction-detail');

    await trunk.getByText('Retention, archive, export and protection').click();
    const retention = trunk.getByTestId('retention');
    await retention.waitFor();
    expect(await retention.innerText()).toMatch(/Media\s+available[\s\S]*Delete[\s\S]*Decided by\s+kept by default/);

    // The other demo calls: a consult and transfer, a coached call, a secure pause.
    const lane = (name: string) => page.getByTestId('timeline').getByRole('list', { name }).innerText();
    await page.goto('/interactions?phone=0142');
    await rows(page).first().getByRole('link').click();
    await page.getByTestId('timeline').waitFor();
    expect(await lane('Alice Agent (agent)')).toMatch(/Consult[\s\S]*consult transfer to Bob Agent/);
    expect(await lane('Bob Agent (agent)')).toContain('Consult');
    expect(await page.getByTestId('timeline').getByRole('list', { name: 'Whole call' }).count()).toBe(0);
    await page.goto('/interactions?phone=15550177');
    await rows(page).first().getByRole('link').click();
    await page.getByTestId('timeline').waitFor();
    expect(await lane('Carol Supervisor (coach)')).toContain('Monitoring (coach Bob Agent)');
    await page.goto('/interactions?phone=15550123');
    await rows(page).first().getByRole('link').click();
    await page.getByTestId('timeline').waitFor();
    expect(await lane('Whole call')).toContain('Secure pause: 0:30–0:50');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('plays a recording: the playhead moves; seek by click and keyboard; speed and per-channel mute', async () => {
    const { context, page, errors, player } = await salesCall();
    expect(await position(page)).toBe(0);
    await player.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(() => position(page), { timeout: 10_000 }).toBeGreaterThan(0.5);
    // The <audio> element itself (the test's TypeScript has no DOM types: the function is a string).
    const audio = () => page.evaluate<{ time: number; rate: number; paused: boolean }>("(({ currentTime, playbackRate, paused }) => ({ time: currentTime, rate: playbackRate, paused }))(document.querySelector('audio'))");
    expect((await audio()).paused).toBe(false);
    await player.scrollIntoViewIfNeeded();
    await screenshot(page, 'player');

    await player.getByLabel('Speed').selectOption('2');
    expect((await audio()).rate).toBe(2);
    await player.getByLabel('Hear channel 1').uncheck();
    expect(await player.getAttribute('data-gains')).toBe('0,1');
    await player.getByLabel('Hear channel 1').check();
    await player.getByLabel('Hear channel 2').uncheck();
    expect(await player.getAttribute('data-gains')).toBe('1,0');

    await player.getByRole('button', { name: 'Pause' }).click();
    // Click at the middle of the waveform: about 55 s of 110.
    const wave = player.getByRole('slider', { name: 'Playback position' });
    const box = (await wave.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + 10);
    expect(await position(page)).toBeCloseTo(55, 0);
    await wave.press('ArrowRight');
    expect(await position(page)).toBeCloseTo(60, 0);
    await wave.press('End');
    expect(await position(page)).toBeCloseTo(110, 0);
    await wave.press('Home');
    expect(await position(page)).toBe(0);
    expect((await audio()).time).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('adds a bookmark where the playhead is, and it is still there after a reload', async () => {
    const { context, page, errors, player } = await salesCall();
    const wave = player.getByRole('slider', { name: 'Playback position' });
    for (let i = 0; i < 9; i++) await wave.press('ArrowRight');
    await player.getByLabel('Bookmark name').fill('Terms read out');
    await player.getByRole('button', { name: 'Add bookmark at 0:45.0' }).click();
    await player.getByRole('status').filter({ hasText: 'Bookmark added at 0:45.0.' }).waitFor();
    await player.getByRole('button', { name: 'Bookmark: Terms read out at 0:45.0' }).waitFor();

    await page.reload();
    await page.getByTestId('player').getByRole('button', { name: 'Bookmark: Terms read out at 0:45.0' }).click();
    expect(await position(page)).toBe(45);
    expect(errors).toEqual([]);
    await context.close();
  });
});
