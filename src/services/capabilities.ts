import { NxfError } from '../errors.js';

/** The capabilities a module manifest may declare (`permissions[]`), as DESIGN.md §4 lists them. */
export const moduleCapabilities = [
  'database:read',
  'database:write',
  'network:outbound',
  'storage:read',
  'storage:write',
  'notifications:send',
  'events:subscribe',
] as const;

/** One capability a module can declare. */
export type ModuleCapability = (typeof moduleCapabilities)[number];

/** The error for a module using something its manifest did not declare. */
export function capabilityDenied(capability: string, moduleName: string, what?: string): NxfError {
  const use = what ? `${what} needs` : 'This needs';
  return new NxfError(
    'NXF_CAPABILITY_DENIED',
    `${use} the "${capability}" capability, which module "${moduleName}" does not declare in its manifest permissions.`,
    { status: 403, details: { capability, module: moduleName } },
  );
}
