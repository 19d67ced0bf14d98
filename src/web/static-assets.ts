import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corePaths } from '../paths.js';

/** Where a `/static/…` URL of the core is read from. */
export interface CoreAssetFile {
  root: string;
  /** Relative to `root`. */
  file: string;
}

/**
 * `/static/*` is `public/`, except htmx, served from the installed package at `/static/vendor/` (no CDN, no copy
 * to keep in sync).
 */
export function coreAssetFile(urlPath: string): CoreAssetFile | undefined {
  if (!urlPath.startsWith('/static/')) return undefined;
  const relative = urlPath.slice('/static/'.length);
  const vendor = /^vendor\/(htmx(?:\.min)?\.js(?:\.map)?)$/.exec(relative);
  return vendor ? { root: corePaths.htmxDist, file: vendor[1] as string } : { root: corePaths.public, file: relative };
}

/** Fingerprints by URL path; the files are part of the installation and change only with it. */
const fingerprints = new Map<string, string | null>();

/** The first 16 hex digits of the SHA-256 of the file behind a core `/static/…` URL, or undefined when there is none. */
export function assetFingerprint(urlPath: string): string | undefined {
  let fingerprint = fingerprints.get(urlPath);
  if (fingerprint === undefined) {
    const asset = coreAssetFile(urlPath);
    fingerprint = asset && !asset.file.split('/').includes('..') ? hashOf(path.join(asset.root, asset.file)) : null;
    fingerprints.set(urlPath, fingerprint);
  }
  return fingerprint ?? undefined;
}

function hashOf(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
  } catch {
    return null;
  }
}

/**
 * A core asset's URL with its content fingerprint, `/static/css/nxforge.css?h=<hash>` (a `#fragment` kept at the
 * end): a new file gets a new URL, so browsers may keep each one for ever.
 */
export function assetUrl(urlPath: string): string {
  const [pathPart = '', fragment] = urlPath.split('#');
  const fingerprint = assetFingerprint(pathPart);
  const url = fingerprint ? `${pathPart}?h=${fingerprint}` : pathPart;
  return fragment === undefined ? url : `${url}#${fragment}`;
}
