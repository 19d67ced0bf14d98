import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { NxfError } from '../../errors.js';

/**
 * Flags for headless Chromium on a server: no sandbox (NxForge often runs as root in a container, where the
 * sandbox cannot start), no GPU, /tmp instead of a small /dev/shm, and nothing that phones home. Without a GPU
 * the compositor runs in software, so it runs in the browser process (`--in-process-gpu`): one process fewer
 * per browser (about 45 MB) and no hop between processes for each frame. Pages keep the window's size (see
 * browser-pool.ts), so the window size is the screenshots' size.
 */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--in-process-gpu',
  '--window-size=800,600',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Programs looked for on the PATH, best first. Debian's `chromium-headless-shell` is Chromium's headless shell,
 * built for automation: a scrape in a fresh context takes about a third of the time it takes in full Chromium
 * (84 vs 239 ms, measured with bench/scrape.bench.ts's page), mostly because opening a page in a new context
 * starts far less. Full `chromium` works the same, only slower.
 */
const candidates = ['chromium-headless-shell', 'chromium'];

/**
 * Debian's `/usr/bin/chromium-headless-shell` is a wrapper script that runs the binary without `exec`: the
 * process puppeteer would watch (and the pool kills when it hangs) would be the shell, not the browser. Where the
 * binary itself is, it is launched directly.
 */
const shellBinaries: Record<string, string> = {
  'chromium-headless-shell': '/usr/lib/chromium/chromium-headless-shell',
};

/**
 * The Chromium to drive: `PUPPETEER_EXECUTABLE_PATH` when set, else `chromium-headless-shell` or `chromium` on
 * the PATH (Debian's packages). Puppeteer never downloads a browser here.
 * @throws NxfError NXF_CHROMIUM_MISSING naming both places looked at.
 */
export function resolveChromiumExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PUPPETEER_EXECUTABLE_PATH;
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw missing(`PUPPETEER_EXECUTABLE_PATH is set to ${configured}, which is not an executable file.`);
  }
  const searchPath = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of candidates) {
    for (const folder of searchPath) {
      const candidate = path.join(folder, name);
      if (isExecutable(candidate))
        return isExecutable(shellBinaries[name] ?? '') ? (shellBinaries[name] as string) : candidate;
    }
  }
  return missing('PUPPETEER_EXECUTABLE_PATH is not set and there is no "chromium" on the PATH.');
}

/** How puppeteer must start `executable`: the headless shell is its own program, not Chromium's headless mode. */
export function headlessModeFor(executable: string): true | 'shell' {
  return path.basename(executable).includes('headless-shell') ? 'shell' : true;
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
