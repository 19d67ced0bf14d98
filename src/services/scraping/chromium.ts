import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { NxfError } from '../../errors.js';

/**
 * Flags for headless Chromium on a server: no sandbox (NxForge often runs as root in a container, where the
 * sandbox cannot start), no GPU, /tmp instead of a small /dev/shm, and nothing that phones home.
 */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * The Chromium to drive: `PUPPETEER_EXECUTABLE_PATH` when set, else `chromium` on the PATH (Debian's package).
 * Puppeteer never downloads a browser here.
 * @throws NxfError NXF_CHROMIUM_MISSING naming both places looked at.
 */
export function resolveChromiumExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PUPPETEER_EXECUTABLE_PATH;
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw missing(`PUPPETEER_EXECUTABLE_PATH is set to ${configured}, which is not an executable file.`);
  }
  const searchPath = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const folder of searchPath) {
    const candidate = path.join(folder, 'chromium');
    if (isExecutable(candidate)) return candidate;
  }
  return missing('PUPPETEER_EXECUTABLE_PATH is not set and there is no "chromium" on the PATH.');
}

function missing(reason: string): never {
  throw new NxfError(
    'NXF_CHROMIUM_MISSING',
    `No Chromium to scrape with: ${reason} Install the chromium package (apt-get install chromium) or set ` +
      'PUPPETEER_EXECUTABLE_PATH to a Chromium or Chrome executable.',
    { status: 503 },
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
