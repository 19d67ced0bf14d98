import { BillingError } from '../billing/billing-error.js';
import { lockLedgerWriters, rebuildLedger } from '../ledger/ledger-rebuild.js';
import { inTransaction } from '../ledger/pg-session.js';
import type { Runtime } from '../runtime.js';
import { readingColumns, toReading, type Reading, type ReadingRow } from './reading.js';

/** What an operator decides about one stored reading (`PATCH /consumption/readings/:id`). */
export interface ReadingCorrection {
  /** `ok` to count it, `suspect` to stop counting it. */
  status: 'ok' | 'suspect';
  /** The right value, in the unit of the reading's `value` (kWh, or kW for power); the stored one when absent. */
  value?: number;
  /** Why, stored as the reading's reason and in the audit log. */
  reason: string;
}

/** A correction as the API takes it, checked: the correction, or what is wrong with each field. */
export function checkCorrection(input: unknown): ReadingCorrection | { errors: Record<string, string> } {
  const body = (input ?? {}) as { status?: unknown; value?: unknown; reason?: unknown };
  const errors: Record<string, string> = {};
  if (body.status !== 'ok' && body.status !== 'suspect') errors.status = '"ok" to count it, "suspect" not to.';
  if (body.value !== undefined && (typeof body.value !== 'number' || !Number.isFinite(body.value) || body.value < 0))
    errors.value = 'A number of at least 0, in kWh (kW for a power endpoint), or left out to keep the value.';
  if (typeof body.reason !== 'string' || body.reason.trim().length < 3 || body.reason.length > 500)
    errors.reason = 'Say why, in 3 to 500 characters.';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    status: body.status as ReadingCorrection['status'],
    ...(body.value === undefined ? {} : { value: body.value as number }),
    reason: (body.reason as string).trim(),
  };
}

/**
 * Corrects a stored reading and counts its endpoint's ledger again from the ok reading before it, in one
 * transaction with collection and imports waiting, as an import does: the intervals on both sides of the reading
 * are recomputed, so billing sees the correction, and a closed month it reaches keeps its issued figure and
 * carries the difference (docs/billing.md). The rule still applies: a counter reading made `ok` that the rule
 * reads as a glitch (a dip of less than 10 %) is refused and nothing changes. Returns the reading before and after.
 */
export async function correctReading(
  runtime: Pick<Runtime, 'db' | 'logger'>,
  id: string,
  correction: ReadingCorrection,
): Promise<{ before: Reading; after: Reading }> {
  return inTransaction(runtime.db, async (session) => {
    await lockLedgerWriters(session);
    const select = `SELECT ${readingColumns} FROM cm_reading WHERE id = $1`;
    // Reading ids are bigints: anything else names no reading (and must not reach the query as a cast error).
    const [row] = /^[0-9]{1,18}$/.test(id) ? await session.query<ReadingRow>(`${select} FOR UPDATE`, [id]) : [];
    if (!row) throw new BillingError(404, 'NXF_NOT_FOUND', `No reading ${id}.`);
    const value = correction.value ?? row.value;
    if (correction.status === 'ok' && value === null)
      throw new BillingError(422, 'NXF_VALIDATION', 'This reading has no value: give one to count it.', {
        value: 'required to count a reading that failed',
      });
    await session.execute(`UPDATE cm_reading SET status = $2, value = $3, reason = $4, reset = false WHERE id = $1`, [
      id,
      correction.status,
      value,
      correction.reason,
    ]);
    await rebuildLedger(session, row.endpoint_id, new Date(row.recorded_at));
    const [after] = await session.query<ReadingRow>(select, [id]);
    if (correction.status === 'ok' && after!.status !== 'ok')
      throw new BillingError(
        422,
        'CM_READING_NOT_COUNTABLE',
        'The counter would dip by less than 10 % from the reading before it: the billing rule reads that as a glitch and never counts it.',
        { status: after!.reason ?? 'not countable' },
      );
    return { before: toReading(row), after: toReading(after!) };
  });
}
