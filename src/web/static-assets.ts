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

/** The file behind a `/static/…` URL, or undefined when none may be behind it. */
export type AssetResolver = (urlPath: string) => string | undefined;

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

/** The core's files: what `coreAssetFile` names, never outside its folder. */
export const coreAsset: AssetResolver = (urlPath) => {
  const asset = coreAssetFile(urlPath);
  return asset && !asset.file.split('/').includes('..') ? path.join(asset.root, asset.file) : undefined;
};

/** A module's `public/` files at `/static/modules/<name>/…`, and the core's for every other `/static/` URL. */
export function moduleAssetResolver(name: string, publicDir: string): AssetResolver {
  const prefix = `/static/modules/${name}/`;
  return (urlPath) => {
    if (!urlPath.startsWith(prefix)) return coreAsset(urlPath);
    const relative = urlPath.slice(prefix.length);
    return relative === '' || relative.split('/').includes('..') ? undefined : path.join(publicDir, relative);
  };
}

/** Fingerprints by file; the files are part of the installation (or of an installed module's version folder). */
const fingerprints = new Map<string, string | null>();

/** The first 16 hex digits of the SHA-256 of a file, or undefined when it cannot be read. */
export function fileFingerprint(file: string): string | undefined {
  let fingerprint = fingerprints.get(file);
  if (fingerprint === undefined) {
    try {
      fingerprint = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
    } catch {
      fingerprint = null;
    }
    fingerprints.set(file, fingerprint);
  }
  return fingerprint ?? undefined;
}

/** The fingerprint of the file behind a `/static/…` URL, or undefined when there is none. */
export function assetFingerprint(urlPath: string, resolve: AssetResolver = coreAsset): string | undefined {
  const file = resolve(urlPath);
  return file === undefined ? undefined : fileFingerprint(file);
}

/**
 * A `/static/…` URL with its content fingerprint, `/static/css/nxforge.css?h=<hash>` (a `#fragment` kept at the
 * end): a new file gets a new URL, so browsers may keep each one for ever.
 */
export function assetUrl(urlPath: string, resolve: AssetResolver = coreAsset): string {
  const [pathPart = '', fragment] = urlPath.split('#');
  const fingerprint = assetFingerprint(pathPart, resolve);
  const url = fingerprint ? `${pathPart}?h=${fingerprint}` : pathPart;
  return fragment === undefined ? url : `${url}#${fragment}`;
}

const oneYearSeconds = 365 * 24 * 3600;

/**
 * The Cache-Control of a static file: a year and immutable when the request names the file's fingerprint
 * (`?h=`, as `nx.asset` links it); otherwise the browser must revalidate, so an old or guessed fingerprint never
 * pins a file in a cache.
 */
export function staticCacheControl(fingerprint: unknown, file: string): string {
  return typeof fingerprint === 'string' && fingerprint === fileFingerprint(file)
    ? `public, max-age=${oneYearSeconds}, immutable`
    : 'no-cache';
}
