import type { ScrapeAuth } from 'nxforge/module';
import type { Endpoint, EndpointSecrets } from '../endpoints/endpoint.js';
import { ReadError, type SourceReader } from './source.js';

/**
 * A web page in Chromium: signs in (basic, form, cookie), keeps the device session, waits until the selector's
 * text holds a digit (values drawn by JavaScript first say "loading…"), then reads it as a number.
 */
export const readBrowser: SourceReader = async (endpoint, context) => {
  const { scraping } = context.services;
  const selector = endpoint.selector!;
  const timeout = endpoint.timeoutSeconds * 1000;
  const result = await scraping.scrape<{ raw: string; number: number }>(
    {
      url: endpoint.url!,
      name: endpoint.name,
      timeout,
      auth: browserAuth(endpoint, context.secrets),
      session: { cookies: context.session },
      screenshot: context.screenshotOnError ? 'on-error' : 'never',
      reportFailure: false,
    },
    async (page) => {
      // Half the budget for the value to be drawn; what is there then is read (and refused if not a number).
      // A plain evaluate that polls in the page: puppeteer's waitForFunction would first inject its utility
      // script into every new page, which cost 15 ms of a 120 ms read.
      await page.evaluate(waitForDigit, selector, timeout / 2).catch(() => undefined);
      const raw = await scraping.extractText(page, selector);
      return { raw, number: scraping.parseNumber(raw, { locale: endpoint.locale }) };
    },
  );
  if (!result.success || !result.data) {
    throw new ReadError(result.errorCode ?? 'NXF_SCRAPE_FAILED', result.error ?? 'The page could not be read.', {
      screenshot: result.screenshotPath,
    });
  }
  return { ...result.data, cookies: result.cookies };
};

/** In the page: resolves once the text of `selector` holds a digit, or after `ms`, checking every 100 ms. */
function waitForDigit(selector: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve) => {
    const check = () => {
      if (/\d/.test(document.querySelector(selector)?.textContent ?? '') || Date.now() >= until) resolve();
      else setTimeout(check, 100);
    };
    check();
  });
}

function browserAuth(endpoint: Endpoint, secrets: EndpointSecrets): ScrapeAuth | undefined {
  const auth = endpoint.auth;
  if (!auth || auth.type === 'none') return undefined;
  const credentials = { username: auth.username ?? '', password: secrets.password ?? '' };
  if (auth.type === 'basic') return { type: 'basic', credentials };
  if (auth.type === 'form') {
    return {
      type: 'form',
      credentials,
      form: {
        loginUrl: auth.loginUrl ?? undefined,
        usernameSelector: auth.usernameSelector!,
        passwordSelector: auth.passwordSelector!,
        submitSelector: auth.submitSelector ?? undefined,
      },
    };
  }
  if (auth.type === 'cookie') return { type: 'cookie', credentials: parseCookies(secrets.cookies ?? '') };
  return undefined;
}

/** `a=1; b=2` → {a: '1', b: '2'}. */
export function parseCookies(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(';')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()]),
  );
}
