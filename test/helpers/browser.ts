import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { watchPageProblems } from './page-watch.js';

import { chromiumArgs, headlessModeFor, resolveChromiumExecutable } from '../../src/services/scraping/chromium.js';

export { chromiumArgs };

/** The Chromium tests drive: the one the scraping service would use. */
export function chromiumPath(): string {
  return resolveChromiumExecutable();
}

/** A headless Chromium for a UI test. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  return puppeteer.launch({ executablePath, headless: headlessModeFor(executablePath), args: [...chromiumArgs] });
}

/**
 * A page signed in through the login form, in a browser context of its own (so several users can be signed in
 * at once), with its problems watched (see page-watch.ts).
 */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  user: { username: string; password: string },
  viewport = { width: 1024, height: 700 },
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(viewport);
  const problems = watchPageProblems(page);
  await page.goto(`${baseUrl}/login`);
  await page.type('#field-username', user.username);
  await page.type('#field-password', user.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return { page, problems };
}

/** Clicks a sidebar link as a person would: on a narrow screen the sidebar is first opened from "Menu". */
export async function clickSidebarLink(page: Page, href: string): Promise<void> {
  const folded = await page
    .$eval('.menu-button', (button) => getComputedStyle(button).display !== 'none')
    .catch(() => false);
  if (folded) {
    await page.click('.menu-button');
    await page.waitForSelector('nav[aria-label="Main"]', { visible: true });
  }
  await page.click(`nav[aria-label="Main"] a[href="${href}"]`);
}
