import type { ModuleServices } from 'nxforge/module';
import type { Sql } from '../../store/sql.js';
import type { RedfishSession, SessionStore } from './redfish-sessions.js';

/** What the sealed session of a host is bound to, so it cannot be moved to another host. */
const contextOf = (hostId: number) => `host-session:${hostId}`;

/** The Redfish session of a host, kept sealed in its row (`tm_host.session_sealed`). */
export function hostSessionStore(sql: Sql, secrets: ModuleServices['secrets'], hostId: number): SessionStore {
  const open = (sealed: string | null | undefined) => openSealed(secrets, hostId, sealed);
  return {
    load: async () =>
      open(
        (await sql.one<{ session_sealed: string | null }>('SELECT session_sealed FROM tm_host WHERE id = $1', [hostId]))
          ?.session_sealed,
      ),
    replace: (stale, create) =>
      sql.transaction(async (tx) => {
        // The row lock makes concurrent polls (other job runs, other processes) wait and then reuse this session.
        const row = await tx.one<{ session_sealed: string | null }>(
          'SELECT session_sealed FROM tm_host WHERE id = $1 FOR UPDATE',
          [hostId],
        );
        const stored = open(row?.session_sealed);
        if (stored && stored.token !== stale?.token) return stored;
        const session = await create();
        await tx.execute('UPDATE tm_host SET session_sealed = $2 WHERE id = $1', [
          hostId,
          secrets.seal(JSON.stringify(session), contextOf(hostId)),
        ]);
        return session;
      }),
  };
}

/** Every stored session, to sign out of them when the module stops. */
export async function storedSessions(
  sql: Sql,
  secrets: ModuleServices['secrets'],
): Promise<Array<{ hostId: number; sealed: string; session: RedfishSession | null }>> {
  const rows = await sql.select<{ id: number; session_sealed: string }>(
    'SELECT id, session_sealed FROM tm_host WHERE session_sealed IS NOT NULL',
  );
  return rows.map((row) => ({
    hostId: row.id,
    sealed: row.session_sealed,
    session: openSealed(secrets, row.id, row.session_sealed),
  }));
}

/** A sealed session opened; null when there is none or it was sealed under another NXFORGE_SECRET. */
function openSealed(
  secrets: ModuleServices['secrets'],
  hostId: number,
  sealed: string | null | undefined,
): RedfishSession | null {
  if (!sealed) return null;
  try {
    return JSON.parse(secrets.open(sealed, contextOf(hostId))) as RedfishSession;
  } catch {
    return null;
  }
}

/** Forgets a host's session, unless another one was stored meanwhile. */
export function forgetSession(sql: Sql, hostId: number, sealed: string): Promise<number> {
  return sql.execute('UPDATE tm_host SET session_sealed = NULL WHERE id = $1 AND session_sealed = $2', [
    hostId,
    sealed,
  ]);
}
