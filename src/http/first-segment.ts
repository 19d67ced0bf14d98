/**
 * The first segment of a path (`/consumption/live` → `consumption`): the key the module registry indexes claims
 * by and the core's routing groups routers by.
 */
export function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}
