import { describe, expect, it } from 'vitest';
import { demoForFile, screenshot, signedIn } from '../../support/web.js';

/** Sign-in and sign-out in a real Chromium, for every default role of the demo. */

const shared = demoForFile();

describe('web sign-in', () => {
  it('refuses a wrong password with a message, and says nothing about which part was wrong', async () => {
    const context = await shared.browser.newContext({ baseURL: shared.demo.url, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('not her password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong username or password.');
    await screenshot(page, 'sign-in');
    await context.close();
  });

  it.each([
    ['admin', 'admin'],
    ['carol', 'supervisor'],
    ['erin', 'evaluator'],
    ['alice', 'agent'],
    ['dave', 'user'],
  ])('signs in %s (%s), shows who is signed in, and signs out back to the sign-in form', async (username, role) => {
    const { context, page, errors } = await signedIn(shared.browser, shared.demo, username);
    expect((await page.getByTestId('whoami').textContent())?.toLowerCase()).toContain(role);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').waitFor();
    // The cookie is gone: a reload stays signed out.
    await page.reload();
    await page.getByLabel('Username').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
