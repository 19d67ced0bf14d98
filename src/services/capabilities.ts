import { NxfError } from '../errors.js';

/** The error for a module using something its manifest did not declare. */
export function capabilityDenied(capability: string, moduleName: string, what?: string): NxfError {
  const use = what ? `${what} needs` : 'This needs';
  return new NxfError(
    'NXF_CAPABILITY_DENIED',
    `${use} the "${capability}" capability, which module "${moduleName}" does not declare in its manifest permissions.`,
    { status: 403, details: { capability, module: moduleName } },
  );
}
