import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ROOT, startCapstan, type CapstanProcess } from './process.js';

/**
 * The web UI end to end: a real `capstan serve` with the fresh-install demo (users with each
 * default role, real recorded calls) and Debian's Chromium driven by playwright-core.
 */

export const CHROMIUM = process.env.CAPSTAN_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');

export interface DemoServer {
  readonly capstan: CapstanProcess;
  readonly url: string;
  /** Username → password of the demo users (`admin` is the first-start administrator). */
  readonly passwords: Readonly<Record<string, string>>;
  /** The admin API client, for arranging data through the API. */
  readonly client: { readonly id: string; readonly secret: string };
}

/** Starts Capstan on a fresh data folder and waits until the demo calls are recorded. */
export async function startDemoServer(timeoutMs = 150_000): Promise<DemoServer> {
  const capstan = await startCapstan({ CAPSTAN_DEMO: 'auto' });
  const deadline = Date.now() + timeoutMs;
  while (!/demo calls recorded/.test(capstan.output())) {
    if (Date.now() > deadline || capstan.child.exitCode !== null) throw new Error(`the demo did not finish:\n${capstan.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const out = capstan.output();
  const admin = /web sign-in: +username (\S+) +password (\S+)/.exec(out)!;
  const client = /API client: +client id (\S+) +secret (\S+)/.exec(out)!;
  const passwords: Record<string, string> = { [admin[1]!]: admin[2]! };
  for (const m of out.matchAll(/^ {2}(\w+) +\w+ +password (\S+)$/gm)) passwords[m[1]!] = m[2]!;
  return { capstan, url: capstan.url, passwords, client: { id: client[1]!, secret: client[2]! } };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
}

/**
 * One demo server and one browser for a whole test file (started in beforeAll, stopped in
 * afterAll): read `demo` and `browser` from the returned object inside the tests.
 */
export function demoForFile(): { readonly demo: DemoServer; readonly browser: Browser } {
  const shared = {} as { demo: DemoServer; browser: Browser };
  beforeAll(async () => {
    [shared.demo, shared.browser] = await Promise.all([startDemoServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await shared.browser?.close();
    await shared.demo?.capstan.stop();
  });
  return shared;
}

export interface UiSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught page errors seen so far (a test expects none). */
  readonly errors: string[];
}

/** A fresh browser context (its own cookies) at 1280×800, signed in as `username`. */
export async function signedIn(browser: Browser, demo: DemoServer, username: string, viewport = { width: 1280, height: 800 }): Promise<UiSession> {
  const context = await browser.newContext({ baseURL: demo.url, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(demo.passwords[username]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
  return { context, page, errors };
}

/**
 * A screenshot of the page as the test left it: into docs/screenshots/<name>.png (committed; the
 * README shows them) with `npm run screenshots`, otherwise into a temporary folder, so that a
 * test run leaves the working tree as it found it (the demo's times differ on every run).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.CAPSTAN_UPDATE_SCREENSHOTS === '1' ? SCREENSHOTS : path.join(tmpdir(), 'capstan-screenshots');
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: path.join(folder, `${name}.png`), fullPage: false });
}
