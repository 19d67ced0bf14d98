import type { ModuleServices } from 'nxforge/module';
import type { HostRow } from '../store/host-store.js';
import type { Sql } from '../store/sql.js';
import { createIpmiSource, parseIpmiAddress } from './ipmi-source.js';
import { hostSessionStore } from './redfish/host-session-store.js';
import { createRedfishClient } from './redfish/redfish-client.js';
import { createRedfishSource } from './redfish/redfish-source.js';
import { createScrapeSource } from './scrape-source.js';
import { SourceError, type SensorSource } from './source-types.js';

/** What binds a host's sealed password to it. */
export const passwordContext = (hostId: number) => `host-password:${hostId}`;

/** A source open on one host, and what to close when done with it. */
export interface OpenSource extends SensorSource {
  close(): void;
}

/** The host's password, opened; a password sealed under another NXFORGE_SECRET is a clear error of the host. */
export function hostPassword(secrets: ModuleServices['secrets'], host: HostRow): string {
  if (!host.password_sealed) return '';
  try {
    return secrets.open(host.password_sealed, passwordContext(host.id));
  } catch (error) {
    throw new SourceError(
      'TM_PASSWORD_UNREADABLE',
      `The stored password of ${host.name} cannot be opened (${(error as Error).message}); enter it again.`,
      'error',
      { cause: error },
    );
  }
}

/** The source that reads `host`, per its `source`. */
export function sourceForHost(
  deps: { services: ModuleServices; sql: Sql; signal?: AbortSignal },
  host: HostRow,
): OpenSource {
  const { services, sql } = deps;
  const password = hostPassword(services.secrets, host);
  if (host.source === 'redfish') {
    const options = host.options.redfish ?? { auth: 'basic', verifyTls: true };
    const client = createRedfishClient(
      services.http,
      { baseUrl: host.address, username: host.username, password, auth: options.auth, verifyTls: options.verifyTls },
      hostSessionStore(sql, services.secrets, host.id),
    );
    return { ...createRedfishSource(client), close: () => client.close() };
  }
  if (host.source === 'ipmi') {
    const address = parseIpmiAddress(host.address);
    if (!address)
      throw new SourceError('TM_ADDRESS_INVALID', `"${host.address}" is not a host name or host:port.`, 'error');
    const options = host.options.ipmi ?? { interface: 'lanplus', cipherSuite: null };
    const target = {
      ...address,
      username: host.username,
      password,
      interface: options.interface,
      ...(options.cipherSuite === null ? {} : { cipherSuite: options.cipherSuite }),
    };
    return { ...createIpmiSource(services.ipmi, target, deps.signal), close: () => undefined };
  }
  const scrape = host.options.scrape ?? { url: host.address, sensors: [] };
  const source = createScrapeSource(services.scraping, {
    name: host.name,
    url: scrape.url,
    username: host.username,
    password,
    sensors: scrape.sensors,
  });
  return { ...source, close: () => undefined };
}
