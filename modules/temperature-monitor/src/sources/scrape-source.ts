import type { ModuleServices } from 'nxforge/module';
import { noThresholds } from '../thresholds.js';
import { SourceError, type SensorRead, type SensorSource } from './source-types.js';

/** A sensor read from a web page: its name (the key) and the CSS selector of the element showing it. */
export interface ScrapedSensor {
  name: string;
  selector: string;
}

/** A device web page with temperatures on it. */
export interface ScrapeTarget {
  /** Label for logs and screenshots (the host's name). */
  name: string;
  url: string;
  /** Basic auth when a user name is set. */
  username: string;
  password: string;
  sensors: readonly ScrapedSensor[];
}

/** The page handed to custom scrape work (a puppeteer Page). */
type ScrapePage = Parameters<NonNullable<Parameters<ModuleServices['scraping']['scrape']>[1]>>[0];

/** Scrape failures where the page never answered; the rest mean it answered something else than expected. */
const unreachableCodes = new Set([
  'NXF_SCRAPE_UNREACHABLE',
  'NXF_SCRAPE_TIMEOUT',
  'NXF_BROWSER_BUSY',
  'NXF_BROWSER_CRASHED',
]);

/**
 * Temperatures on a device's web page, through the core scraping service: one page load per poll, each sensor's
 * selector read on its own, so one that vanished from the page leaves the others read. The page gives no
 * thresholds: set them as overrides.
 */
export function createScrapeSource(scraping: ModuleServices['scraping'], target: ScrapeTarget): SensorSource {
  const readAll = async (): Promise<Map<string, SensorRead>> => {
    const result = await scraping.scrape<Record<string, SensorRead>>(
      {
        url: target.url,
        name: target.name,
        timeout: 20_000,
        retries: 1,
        ...(target.username
          ? { auth: { type: 'basic' as const, credentials: { username: target.username, password: target.password } } }
          : {}),
      },
      async (page) => {
        const reads: Record<string, SensorRead> = {};
        for (const sensor of target.sensors) reads[sensor.name] = await readOne(page, sensor);
        return reads;
      },
    );
    if (!result.success || !result.data) {
      const code = result.errorCode ?? 'NXF_SCRAPE_FAILED';
      throw new SourceError(
        code,
        result.error ?? 'The page could not be read.',
        unreachableCodes.has(code) ? 'unreachable' : 'error',
      );
    }
    return new Map(Object.entries(result.data));
  };

  const readOne = async (page: ScrapePage, sensor: ScrapedSensor): Promise<SensorRead> => {
    try {
      return { status: 'ok', celsius: await scraping.extractNumber(page, sensor.selector) };
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      if (code === 'NXF_SCRAPE_SELECTOR')
        return { status: 'missing', note: `Nothing on the page matches ${sensor.selector}.` };
      return { status: 'no_reading', note: message ?? 'The text is not a number.' };
    }
  };

  return {
    discover: async () => {
      const reads = await readAll();
      return target.sensors.map((sensor) => {
        const read = reads.get(sensor.name) ?? { status: 'missing' as const, note: 'not read' };
        return {
          key: sensor.name,
          name: sensor.name,
          unit: '°C',
          thresholds: noThresholds,
          read: read.status === 'missing' ? { status: 'no_reading' as const, note: read.note } : read,
        };
      });
    },
    read: async (keys) => {
      const reads = await readAll();
      return new Map(
        keys.map((key) => [key, reads.get(key) ?? { status: 'missing', note: 'No longer configured for this host.' }]),
      );
    },
  };
}
