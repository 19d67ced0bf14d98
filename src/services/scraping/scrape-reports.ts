import type { ScrapingConfig, ScrapingResult, ScrapingService } from './scraping.service.js';

/** What is reported of a scrape: its outcome without the data or the screenshot bytes. */
export type ScrapeReport = Pick<ScrapingResult, 'success' | 'error' | 'errorCode' | 'attempts' | 'screenshotPath'> & {
  /** False: no `scraping.failed` for this one (the caller reports failures itself). */
  emit?: boolean;
  /** False: the screenshot was already recorded with the scrape that took it. */
  recordScreenshot?: boolean;
};

/**
 * A scraping service that tells `report` how each scrape ended, after it ended (the core emits
 * `scraping.failed` from it; a job's worker records the screenshots with the execution). A report that throws is
 * ignored: the scrape's caller gets its result either way.
 */
export function reportScrapes(
  service: ScrapingService,
  report: (config: ScrapingConfig, outcome: ScrapeReport) => void,
): ScrapingService {
  return {
    ...service,
    async scrape(config, work) {
      const result = await service.scrape(config, work);
      try {
        report(config, {
          success: result.success,
          error: result.error,
          errorCode: result.errorCode,
          attempts: result.attempts,
          screenshotPath: result.screenshotPath,
          ...(config.reportFailure === false ? { emit: false } : {}),
        });
      } catch {
        // Reporting is best effort; the result belongs to the caller.
      }
      return result;
    },
    reportFailure(failure) {
      try {
        report(
          { url: failure.url, name: failure.name },
          {
            success: false,
            error: failure.error,
            errorCode: failure.errorCode,
            attempts: failure.attempts ?? 1,
            screenshotPath: failure.screenshotPath,
            recordScreenshot: false,
          },
        );
      } catch {
        // Best effort, as for scrapes.
      }
    },
  };
}
