import { redactUrl } from '../services/http/redact-url.js';
import type { ScrapeReport } from '../services/scraping/scrape-reports.js';
import type { EventBus } from './event-bus.js';

/** The scrape a report is about: its name and page. */
export interface ScrapeTarget {
  name?: string;
  url: string;
}

/**
 * Emits `scraping.failed` (severity error, source the module) for a scrape that failed after its retries; a
 * successful scrape emits nothing. The subject — what notification rules keep their quiet period for — is the
 * scrape's name, else the page's host.
 */
export async function emitScrapeFailure(
  events: EventBus,
  module: string,
  target: ScrapeTarget,
  report: ScrapeReport,
  executionId?: string,
): Promise<void> {
  if (report.success || report.emit === false) return;
  let host = target.url;
  try {
    host = new URL(target.url).host;
  } catch {
    // Not a URL: the scrape failed on it; keep the text as the subject.
  }
  await events.emit(
    'scraping.failed',
    {
      module,
      subject: target.name ?? host,
      url: redactUrl(target.url),
      error: report.error ?? 'The scrape failed.',
      code: report.errorCode ?? 'NXF_SCRAPE_FAILED',
      attempts: report.attempts,
      ...(report.screenshotPath ? { screenshotPath: report.screenshotPath } : {}),
      ...(executionId ? { executionId } : {}),
    },
    { source: module, severity: 'error' },
  );
}
