import puppeteer, { type Browser } from 'puppeteer-core';
import { chromiumArgs, resolveChromiumExecutable } from '../../src/services/scraping/chromium.js';

export { chromiumArgs };

/** The Chromium tests drive: the one the scraping service would use. */
export function chromiumPath(): string {
  return resolveChromiumExecutable();
}

/** A headless Chromium for a UI test. */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: [...chromiumArgs] });
}
