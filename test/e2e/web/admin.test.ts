import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, signedIn, startDemoServer, type DemoServer } from '../../support/web.js';

/**
 * Administration in a real Chromium against the fresh-install demo: an administrator edits a
 * retention policy, a setting and runs a bulk job; a supervisor sees only what their role allows;
 * an agent sees no administration at all; the audit log shows what the administrator did.
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

const ADMIN_PAGES = ['Retention policies', 'Recording settings', 'Telephony', 'Users', 'Roles', 'Bulk jobs', 'Protection', 'Audit log'];

/** Signed in as `username`; a step that does not happen fails in 15 s, not 30. */
async function as(username: string, viewport?: { width: number; height: number }) {
  const session = await signedIn(browser, demo, username, viewport);
  session.page.setDefaultTimeout(15_000);
  return session;
}

/** Console errors but Chromium's own line about the 400 a deliberately invalid save answers. */
const unexpected = (errors: string[]) => errors.filter((e) => !/^Failed to load resource: the server responded with a status of 400/.test(e));

async function adminNav(page: Page): Promise<string[]> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  const section = nav.locator('div', { has: page.getByRole('heading', { name: 'Administration' }) });
  if ((await section.count()) === 0) return [];
  return section.getByRole('link').allTextContents();
}

describe('web administration', () => {
  it('admin creates a retention policy, sees field errors, edits a condition, disables it, and finds it so after a reload', async () => {
    const { context, page, errors } = await as('admin');
    expect(await adminNav(page)).toEqual(ADMIN_PAGES);
    await page.getByRole('link', { name: 'Retention policies' }).click();
    await page.getByText('No retention policies yet').waitFor();

    await page.getByRole('link', { name: 'New policy' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Sales calls');
    await page.getByRole('checkbox', { name: 'Sales', exact: true }).check();
    await page.getByRole('checkbox', { name: 'Inbound' }).check();
    await page.getByRole('combobox', { name: /^Duration/ }).selectOption('Between');
    await page.getByLabel('From (ISO-8601, e.g. PT5M)').fill('PT10M');
    await page.getByLabel('To (ISO-8601, e.g. PT30M)').fill('PT1M');
    await page.getByRole('button', { name: 'Add time slot' }).click();
    await page.getByLabel('Time zone').fill('Europe/Paris');
    await page.getByLabel('Archive after (days)').fill('30');
    await page.getByLabel('Delete after (days)').fill('365');
    await page.getByRole('button', { name: 'Save policy' }).click();
    // The API's field-level error shows next to the duration, and the form stays as typed.
    await expect(page.locator('#cond-duration-error').textContent()).resolves.toContain('the first duration of a Between range must be the shorter');
    await expect(page.getByLabel('From (ISO-8601, e.g. PT5M)').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.locator('#cond-duration-error').scrollIntoViewIfNeeded();
    await screenshot(page, 'policy-editor');

    await page.getByLabel('From (ISO-8601, e.g. PT5M)').fill('PT1M');
    await page.getByLabel('To (ISO-8601, e.g. PT30M)').fill('PT30M');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Sales calls saved.').waitFor();
    const row = page.getByRole('row', { name: /Sales calls/ });
    await expect(row.textContent()).resolves.toMatch(/inbound; queues Sales.*duration between PT1M\/PT30M.*archive after 30 d, delete after 365 d/);

    // Edit a condition: outbound instead of inbound.
    await row.getByRole('link', { name: 'Sales calls' }).click();
    await page.getByRole('checkbox', { name: 'Inbound' }).uncheck();
    await page.getByRole('checkbox', { name: 'Outbound' }).check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Sales calls saved.').waitFor();

    // Disable it, once the list shows the edit (it reloads after the save).
    await expect.poll(() => row.textContent()).toMatch(/outbound/);
    await page.getByRole('switch', { name: 'Sales calls enabled' }).uncheck();
    await page.getByText('Sales calls disabled.').waitFor();
    await screenshot(page, 'policies');

    await page.reload();
    await expect(page.getByRole('switch', { name: 'Sales calls enabled' }).isChecked()).resolves.toBe(false);
    await page.getByRole('link', { name: 'Sales calls' }).click();
    await expect(page.getByRole('checkbox', { name: 'Outbound' }).isChecked()).resolves.toBe(true);
    await expect(page.getByRole('checkbox', { name: 'Inbound' }).isChecked()).resolves.toBe(false);
    await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('Europe/Paris');
    expect(unexpected(errors)).toEqual([]);
    await context.close();
  });

  it('admin changes a recording setting and it stays changed', async () => {
    const { context, page, errors } = await as('admin');
    await page.getByRole('link', { name: 'Recording settings' }).click();
    await page.getByLabel('Snippet retention (days)').fill('120');
    await page.getByLabel('Playback link lifetime (minutes)').fill('90');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#setting-recordingPlaybackUrlTtl-error').waitFor();
    await page.getByLabel('Playback link lifetime (minutes)').fill('30');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await screenshot(page, 'settings');
    await page.reload();
    await expect(page.getByLabel('Snippet retention (days)').inputValue()).resolves.toBe('120');
    await expect(page.getByLabel('Playback link lifetime (minutes)').inputValue()).resolves.toBe('30');
    expect(unexpected(errors)).toEqual([]);
    await context.close();
  });

  it('admin runs an ARCHIVE job over the demo calls to FULFILLED, following its progress, and cancels a DELETE job', async () => {
    const { context, page, errors } = await as('admin');
    await page.getByRole('link', { name: 'Bulk jobs' }).click();
    await page.getByText('No bulk jobs yet').waitFor();
    await page.getByRole('button', { name: 'New job' }).click();
    await page.getByRole('combobox', { name: /^Action/ }).selectOption('ARCHIVE');
    await page.getByRole('button', { name: 'Create job' }).click();
    const state = page.getByTestId('job-state').first();
    await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('READY');
    const progress = page.getByTestId('job-progress').first();
    expect(await progress.textContent()).toMatch(/^0% · 0 of [1-9]\d* recordings/);
    await page.getByRole('button', { name: 'Execute the ARCHIVE job' }).click();
    await expect.poll(() => state.textContent(), { timeout: 60_000 }).toBe('FULFILLED');
    expect(await progress.textContent()).toMatch(/^100% · (\d+) of \1 recordings/);
    await expect(page.getByRole('progressbar', { name: 'Progress of the ARCHIVE job' }).getAttribute('value')).resolves.toBe('100');
    await screenshot(page, 'jobs');

    // A second job, counted, then cancelled after the confirmation.
    await page.getByRole('button', { name: 'New job' }).click();
    await page.getByRole('combobox', { name: /^Action/ }).selectOption('DELETE');
    await page.getByRole('radio', { name: "Days after each recording's start" }).check();
    await page.getByLabel('Number of days').fill('3650');
    await page.getByRole('button', { name: 'Create job' }).click();
    await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('READY');
    await page.getByRole('button', { name: 'Cancel the DELETE job' }).click();
    await page.getByRole('dialog', { name: 'Cancel job' }).getByRole('button', { name: 'Cancel job' }).click();
    await expect.poll(() => state.textContent()).toBe('CANCELLED');
    await expect(page.getByTestId('job-state').nth(1).textContent()).resolves.toBe('FULFILLED');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a supervisor sees only the administration their role allows, read-only', async () => {
    const { context, page, errors } = await as('carol');
    expect(await adminNav(page)).toEqual(['Retention policies', 'Telephony', 'Users', 'Protection']);
    await page.getByRole('link', { name: 'Retention policies' }).click();
    await page.getByRole('link', { name: 'Sales calls' }).waitFor();
    expect(await page.getByRole('link', { name: 'New policy' }).count()).toBe(0);
    await expect(page.getByRole('switch', { name: 'Sales calls enabled' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('link', { name: 'Telephony' }).click();
    await page.getByRole('cell', { name: 'PSTN carrier', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /^Add / }).count()).toBe(0);
    for (const path of ['/admin/jobs', '/admin/audit', '/admin/settings', '/admin/roles']) {
      await page.goto(path);
      await page.getByText('You do not have access to this page').waitFor();
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an agent sees no administration, and an administration URL says there is no access', async () => {
    const { context, page, errors } = await as('alice', { width: 390, height: 844 });
    await page.getByRole('button', { name: 'Menu' }).click();
    expect(await adminNav(page)).toEqual([]);
    await page.goto('/admin/policies');
    await page.getByText('You do not have access to this page').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the audit log shows what the administrator did, page by page, and that the chain is intact', async () => {
    const { context, page, errors } = await as('admin');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect(page.getByTestId('chain-verdict').textContent()).resolves.toMatch(/Intact.*All \d+ events/);
    await page.getByLabel('Entity type').fill('RetentionPolicy');
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.getByRole('table').getByRole('row');
    await page.getByRole('cell', { name: /Sales calls/ }).first().waitFor();
    const text = (await rows.allTextContents()).join('\n');
    expect(text).toMatch(/Demo Administrator|admin/);
    for (const action of ['Create', 'Update']) expect(text).toContain(action);
    await page.getByLabel('Entity type').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Page 1', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1', { exact: true }).waitFor();
    await screenshot(page, 'audit');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('admin protects a demo conversation from deletion, checks it, and lifts the protection', async () => {
    const { context, page, errors } = await as('admin');
    const ids = await page.evaluate(async () => {
      const r = await fetch('/api/v2/capstan/conversations?pageSize=2');
      return ((await r.json()) as { entities: { id: string }[] }).entities.map((c) => c.id);
    });
    expect(ids).toHaveLength(2);
    await page.getByRole('link', { name: 'Protection' }).click();
    await page.getByLabel('Conversation ids').fill(`${ids[0]}\nno-such-conversation`);
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    await page.getByText('1 conversation protected; 1 could not be changed.').waitFor();
    await expect(page.getByRole('row', { name: new RegExp(ids[0]!) }).textContent()).resolves.toContain('Protected');
    await page.getByLabel('Conversation ids').fill(`${ids[0]} ${ids[1]}`);
    await page.getByRole('button', { name: 'Check protection' }).click();
    await expect(page.getByRole('row', { name: new RegExp(ids[1]!) }).textContent()).resolves.toContain('Not protected');
    await screenshot(page, 'protection');
    await page.getByRole('button', { name: 'Lift protection' }).click();
    await page.getByText('2 conversations no longer protected.').waitFor();
    await expect(page.getByRole('row', { name: new RegExp(ids[0]!) }).textContent()).resolves.toContain('Not protected');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('admin gives a user a role, sees a role, changes telephony by keyboard; the pages fit a narrow window', async () => {
    const { context, page, errors } = await as('admin');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Edit Dave User' }).click();
    await page.getByRole('checkbox', { name: 'Quality evaluator' }).check();
    await page.getByRole('button', { name: 'Save user' }).click();
    await page.getByText('Dave User saved.').waitFor();
    await expect.poll(() => page.getByRole('row', { name: /Dave User/ }).textContent()).toContain('Quality evaluator');
    await screenshot(page, 'users');
    await page.getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('button', { name: 'Edit Agent' }).click();
    await page.getByRole('checkbox', { name: /Play snippet recordings/ }).waitFor();
    await screenshot(page, 'roles');

    // Telephony by keyboard only: Space flips a setting (saved at once), a deletion asks first and Escape backs out.
    await page.getByRole('link', { name: 'Telephony' }).click();
    await page.getByRole('checkbox', { name: 'Record holds for PSTN carrier' }).focus();
    await page.keyboard.press('Space');
    await page.getByText('PSTN carrier: record holds saved.').waitFor();
    await expect.poll(() => page.getByRole('checkbox', { name: 'Record holds for PSTN carrier' }).isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Queues' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Delete Support' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Delete queue' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'Support', exact: true }).waitFor();
    await screenshot(page, 'telephony');

    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/admin/policies', '/admin/jobs', '/admin/telephony', '/admin/audit']) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      // Nothing but tables scrolls sideways.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    }
    await screenshot(page, 'audit-narrow');
    expect(errors).toEqual([]);
    await context.close();
  });
});
