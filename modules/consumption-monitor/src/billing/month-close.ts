import type { Transaction } from 'sequelize';
import { SELECT } from '../db.js';
import { calendarMonth } from '../energy/index.js';
import { timeZoneOf } from '../ledger/month-energy.js';
import { openStatement } from '../ledger/monthly-summary.js';
import type { Runtime } from '../runtime.js';
import { BillingError } from './billing-error.js';
import { closedMonths, outstandingBefore } from './closed-months.js';

/**
 * Closes a month that has ended: its statement as the summary shows it now is issued and frozen, and the energy
 * earlier closed months gained since their close is carried onto it (docs/billing.md, "Closing a month").
 * @throws BillingError 409 CM_MONTH_NOT_ENDED, CM_MONTH_CLOSED
 */
export async function closeMonth(runtime: Runtime, monthText: string, closedBy: string | null, now = new Date()) {
  const month = calendarMonth(monthText, timeZoneOf(runtime));
  if (month.to.getTime() > now.getTime())
    throw new BillingError(
      409,
      'CM_MONTH_NOT_ENDED',
      `${month.month} has not ended yet (it ends ${month.to.toISOString()}).`,
    );
  const closed = await closedMonths(runtime);
  if (closed.has(month.month)) throw alreadyClosed(month.month);
  const outstanding = await outstandingBefore(runtime, month.month, closed);
  const { lines, currency } = await openStatement(runtime, month, outstanding);
  await runtime.db.transaction(async (transaction) => {
    const query = (sql: string, bind: unknown[]) => runtime.db.query(sql, { bind, transaction, type: SELECT });
    const inserted = await query(
      `INSERT INTO cm_month_close (month, time_zone, from_at, to_at, currency, closed_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (month) DO NOTHING RETURNING month`,
      [month.month, month.timeZone, month.from, month.to, currency, closedBy],
    );
    if (inserted.length === 0) throw alreadyClosed(month.month);
    for (const line of lines) {
      await query(
        `INSERT INTO cm_statement_line (month, endpoint_id, name, customer, rack, milliwatt_hours, adjustment_milliwatt_hours,
           start_kwh, end_kwh, resets, coverage_pct, estimated, price_per_kwh, cost_cents)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          month.month,
          line.endpointId,
          line.name,
          line.customer,
          line.rack,
          line.milliwattHours,
          line.adjustmentMilliwattHours,
          line.startKwh,
          line.endKwh,
          line.resets,
          line.coveragePct,
          line.estimated,
          line.pricePerKwh,
          line.costCents,
        ],
      );
    }
    await recordCarries(runtime, transaction, month.month, outstanding, new Set(lines.map((l) => l.endpointId)));
  });
  return { month: month.month, timezone: month.timeZone, endpoints: lines.length };
}

/** Notes what was carried onto `into` from each earlier month; those months hold nothing outstanding now. */
async function recordCarries(
  runtime: Runtime,
  transaction: Transaction,
  into: string,
  outstanding: Awaited<ReturnType<typeof outstandingBefore>>,
  endpoints: Set<string>,
) {
  for (const [from, byEndpoint] of outstanding) {
    for (const [endpointId, mwh] of byEndpoint) {
      if (!endpoints.has(endpointId)) continue; // a deleted endpoint's energy is not carried
      await runtime.db.query(
        `INSERT INTO cm_adjustment_carry (from_month, into_month, endpoint_id, milliwatt_hours) VALUES ($1, $2, $3, $4)`,
        { bind: [from, into, endpointId, mwh], transaction },
      );
    }
    await runtime.db.query('UPDATE cm_month_close SET changed = false WHERE month = $1', { bind: [from], transaction });
  }
}

/**
 * Reopens a closed month (an administrator's action, with a reason): its issued statement is withdrawn, and what
 * was carried onto it is outstanding again. A month with a later closed month stays closed — reopen that first —
 * so no energy is ever billed twice.
 * @throws BillingError 409 CM_MONTH_NOT_CLOSED, CM_MONTH_LATER_CLOSED
 */
export async function reopenMonth(runtime: Runtime, monthText: string): Promise<void> {
  const month = calendarMonth(monthText, timeZoneOf(runtime)).month;
  const closed = await closedMonths(runtime);
  if (!closed.has(month)) throw new BillingError(409, 'CM_MONTH_NOT_CLOSED', `${month} is not closed.`);
  const later = [...closed.keys()].filter((m) => m > month);
  if (later.length > 0)
    throw new BillingError(
      409,
      'CM_MONTH_LATER_CLOSED',
      `${month} cannot be reopened while ${later.join(', ')} ${later.length === 1 ? 'is' : 'are'} closed: reopen the latest first.`,
    );
  await runtime.db.transaction(async (transaction) => {
    await runtime.db.query(
      `UPDATE cm_month_close SET changed = true WHERE month IN (SELECT from_month FROM cm_adjustment_carry WHERE into_month = $1)`,
      { bind: [month], transaction },
    );
    await runtime.db.query('DELETE FROM cm_month_close WHERE month = $1', { bind: [month], transaction });
  });
}

function alreadyClosed(month: string) {
  return new BillingError(409, 'CM_MONTH_CLOSED', `${month} is closed already; its statement was issued.`);
}
