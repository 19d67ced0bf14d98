import type { ModuleLogger, ModuleServices } from 'nxforge/module';
import { forgetSession, storedSessions } from '../sources/redfish/host-session-store.js';
import { redfishAgents } from '../sources/redfish/redfish-client.js';
import { closeSession } from '../sources/redfish/redfish-sessions.js';
import type { HostRow } from '../store/host-store.js';
import type { Sql } from '../store/sql.js';

/**
 * Signs out of a host's stored Redfish session and forgets it: when the module stops (a BMC allows few sessions,
 * and one left open holds a slot until it times out), and before its address or credentials change.
 */
export async function endSession(
  deps: { sql: Sql; services: ModuleServices; logger: ModuleLogger },
  host: Pick<HostRow, 'id' | 'name' | 'address' | 'options'>,
): Promise<void> {
  const stored = (await storedSessions(deps.sql, deps.services.secrets)).find((s) => s.hostId === host.id);
  if (!stored) return;
  if (stored.session) {
    const agents = redfishAgents(host.options.redfish?.verifyTls ?? true);
    try {
      await closeSession(deps.services.http, { baseUrl: host.address, agents }, stored.session);
    } catch (error) {
      deps.logger.warn(`${host.name}: could not sign out of its Redfish session: ${(error as Error).message}`);
    } finally {
      agents.httpAgent.destroy();
      agents.httpsAgent.destroy();
    }
  }
  await forgetSession(deps.sql, host.id, stored.sealed);
}

/** Signs out of every stored session (the module's teardown). */
export async function endAllSessions(deps: {
  sql: Sql;
  services: ModuleServices;
  logger: ModuleLogger;
}): Promise<number> {
  const hosts = await deps.sql.select<Pick<HostRow, 'id' | 'name' | 'address' | 'options'>>(
    'SELECT id, name, address, options FROM tm_host WHERE session_sealed IS NOT NULL',
  );
  for (const host of hosts) await endSession(deps, host);
  return hosts.length;
}
