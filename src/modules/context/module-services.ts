import { NxfError } from '../../errors.js';
import type { Capability } from '../manifest/manifest-types.js';

/**
 * The services a module reaches through `ctx.services`, each behind the capability that covers it.
 * The core services themselves (scraping, HTTP, storage, notifications) plug in here.
 */
export function createModuleServices(module: string, capabilities: readonly Capability[]): object {
  const gate = (name: string, needs: Capability[]) => () => {
    if (!needs.some((capability) => capabilities.includes(capability))) {
      throw new NxfError(
        'NXF_CAPABILITY_DENIED',
        `Module ${module} did not declare the "${needs[0]}" capability in its manifest.`,
        {
          status: 403,
        },
      );
    }
    throw new NxfError('NXF_SERVICE_UNAVAILABLE', `The ${name} service is not available in this version of NxForge.`, {
      status: 503,
    });
  };
  return Object.defineProperties(
    {},
    {
      scraping: { get: gate('scraping', ['network:outbound']), enumerable: true },
      http: { get: gate('http', ['network:outbound']), enumerable: true },
      storage: { get: gate('storage', ['storage:read', 'storage:write']), enumerable: true },
      notifications: { get: gate('notifications', ['notifications:send']), enumerable: true },
    },
  );
}
