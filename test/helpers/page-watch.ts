import type { Page } from 'puppeteer-core';

/**
 * Collects what a page complains about — script errors, console errors (CSP violations are reported there),
 * failed requests, missing resources and server errors — so a UI test can assert there were none. Answers such
 * as 422 (validation) or 403 are part of normal flows and are not counted; the browser's console echo of them
 * ("Failed to load resource") is skipped for the same reason.
 */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${(error as Error).message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
  );
  page.on('response', (response) => {
    if (response.status() === 404 || response.status() >= 500) problems.push(`${response.status()}: ${response.url()}`);
  });
  return problems;
}
