import { SELECT } from '../db.js';
import type { Runtime } from '../runtime.js';
import { rebuildLedger } from './ledger-rebuild.js';
import { inTransaction } from './pg-session.js';

/**
 * Builds the ledger of endpoints whose readings have none — those taken over from NxForge v4 (migration 000) —
 * one endpoint a transaction, then emits `ledger_built` {subject, endpoints}. Started by the module's setup and
 * not awaited: years of readings take longer than a setup may.
 */
export async function backfillLedger(runtime: Runtime): Promise<number> {
  const missing = await runtime.db.query<{ id: string }>(
    `SELECT e.id FROM cm_endpoint e
     WHERE NOT EXISTS (SELECT 1 FROM cm_energy_interval i WHERE i.endpoint_id = e.id)
       AND (SELECT count(*) FROM (SELECT 1 FROM cm_reading r WHERE r.endpoint_id = e.id AND r.status = 'ok' LIMIT 2) two) = 2`,
    { type: SELECT },
  );
  if (missing.length === 0) return 0;
  runtime.logger.info(`building the energy ledger of ${missing.length} endpoints from their stored readings`);
  for (const { id } of missing) {
    await inTransaction(runtime.db, async (session) => {
      await session.execute('LOCK TABLE cm_energy_interval IN SHARE ROW EXCLUSIVE MODE');
      await rebuildLedger(session, id, new Date(0));
    });
  }
  await runtime.emit('ledger_built', { subject: 'ledger', endpoints: missing.length });
  return missing.length;
}
