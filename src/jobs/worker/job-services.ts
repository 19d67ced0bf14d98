import type { ModuleLogger } from '../../logger.js';
import { capabilityDenied } from '../../services/capabilities.js';
import { moduleSecretBox } from '../../services/crypto/module-secret-box.js';
import { createSecretBox, type SecretBox } from '../../services/crypto/secret-box.js';
import type { ModuleServices } from '../../services/module-services.js';
import type { WorkerRunData } from '../worker-protocol.js';
import { serviceLogger } from './job-logger.js';
import { createRemoteBrowserPool } from './remote-browser-pool.js';
import type { WorkerPort } from './worker-port.js';

/** The services of a job, and how to give back what they hold when the handler ends. */
export interface JobServices {
  services: ModuleServices;
  /** Releases browser pages the handler left open. */
  close(): Promise<void>;
}

/** Capabilities whose services need the toolkit (HTTP client, scraping, storage, notifications). */
const toolkitCapabilities = ['network:outbound', 'storage:read', 'storage:write', 'notifications:send'];

/**
 * `context.services` in a job's worker: the same `createModuleServices` as the module's pages, over a toolkit
 * that reaches the main thread where it must — browser slots and notifications — and works locally otherwise
 * (HTTP, storage, secrets). A module declaring none of those capabilities gets its secrets only, without the
 * service code being loaded at all: loading the HTTP and browser clients costs a worker about 0.25 s.
 */
export async function createJobServices(
  run: WorkerRunData,
  port: WorkerPort,
  logger: ModuleLogger,
): Promise<JobServices> {
  const box = createSecretBox(Buffer.from(run.credentialsKey));
  if (!run.capabilities.some((capability) => toolkitCapabilities.includes(capability))) {
    return { services: secretsOnly(run.module, box), close: async () => undefined };
  }
  const [{ createModuleServices }, { createStorageService }] = await Promise.all([
    import('../../services/module-services.js'),
    import('../../services/storage/storage.service.js'),
  ]);
  const browserPool = createRemoteBrowserPool(port);
  const toolkit = {
    secretBox: box,
    browserPool,
    storage: createStorageService(run.storageRoot),
    notifications: {
      forSource: () => ({
        send: (notification: unknown, channels?: unknown) => port.call<never>('notify', { notification, channels }),
      }),
    },
  };
  const services = createModuleServices(
    {
      toolkit,
      logger: serviceLogger(logger),
      onScrape: (_module, config, report) => port.post({ type: 'scrape', name: config.name, url: config.url, report }),
    },
    run.module,
    run.capabilities,
  );
  return { services, close: () => browserPool.releaseAll() };
}

/** Services of a module without toolkit capabilities: its secrets, and a clear refusal for the rest. */
function secretsOnly(module: string, box: SecretBox): ModuleServices {
  const deny = (capability: string, service: string): never => {
    throw capabilityDenied(capability, module, `ctx.services.${service}`);
  };
  return {
    get scraping() {
      return deny('network:outbound', 'scraping');
    },
    get http() {
      return deny('network:outbound', 'http');
    },
    get ipmi() {
      return deny('network:outbound', 'ipmi');
    },
    get snmp() {
      return deny('network:outbound', 'snmp');
    },
    get storage() {
      return deny('storage:read', 'storage');
    },
    get notifications() {
      return deny('notifications:send', 'notifications');
    },
    secrets: moduleSecretBox(box, module),
  };
}
