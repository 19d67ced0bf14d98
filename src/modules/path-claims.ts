/**
 * Page paths a module claims: exact (`/consumption`) or a prefix (`/consumption/*`, which also covers
 * `/consumption` itself). Claims may not overlap the core's paths or another module's.
 */
export interface PathClaim {
  /** The claimed path without the `/*`. */
  base: string;
  /** True for a prefix claim. */
  wildcard: boolean;
  /** The pattern as written in the manifest. */
  pattern: string;
}

export function parseClaim(pattern: string): PathClaim {
  const wildcard = pattern.endsWith('/*');
  return { base: wildcard ? pattern.slice(0, -2) : pattern, wildcard, pattern };
}

export function claimMatches(claim: PathClaim, path: string): boolean {
  if (path === claim.base) return true;
  return claim.wildcard && path.startsWith(`${claim.base}/`);
}

/** True when some path would match both claims. */
export function claimsOverlap(a: PathClaim, b: PathClaim): boolean {
  if (a.base === b.base) return true;
  const within = (inner: PathClaim, outer: PathClaim) => outer.wildcard && inner.base.startsWith(`${outer.base}/`);
  return within(a, b) || within(b, a);
}

/** Paths the core serves or keeps for itself; no module may claim them. */
export const corePathClaims: PathClaim[] = [
  '/',
  '/login',
  '/logout',
  '/healthz',
  '/profile/*',
  '/admin/*',
  '/settings/*',
  '/api/*',
  '/static/*',
  '/dashboard/*',
  '/jobs/*',
  '/executions/*',
  '/events/*',
  '/audit/*',
  '/modules/*',
  '/m/*',
].map(parseClaim);
