import type { Sql } from './sql.js';

/** An alert as stored. */
export interface AlertRow {
  id: number;
  host_id: number;
  sensor_id: number | null;
  kind: 'sensor' | 'host_unreachable';
  severity: 'warning' | 'critical';
  state: 'firing' | 'resolved';
  fired_at: Date;
  resolved_at: Date | null;
  reading: number | null;
  threshold: number | null;
  reason: string | null;
}

/** An alert with the names of its host and sensor, for pages. */
export interface AlertWithNames extends AlertRow {
  host_name: string;
  sensor_name: string | null;
}

/** A stored transition of an alert. */
export interface TransitionRow {
  alert_id: number;
  at: Date;
  from_state: string;
  to_state: string;
  reading: number | null;
  threshold: number | null;
  announced: boolean;
}

const columns =
  'a.id, a.host_id, a.sensor_id, a.kind, a.severity, a.state, a.fired_at, a.resolved_at, a.reading, a.threshold, a.reason';

/** Alerts and their history. */
export function createAlertStore(sql: Sql) {
  const transition = (alertId: number, t: Omit<TransitionRow, 'alert_id'>) =>
    sql.execute(
      `INSERT INTO tm_alert_transition (alert_id, at, from_state, to_state, reading, threshold, announced)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [alertId, t.at, t.from_state, t.to_state, t.reading, t.threshold, t.announced],
    );
  return {
    /** Opens an alert (firing) with its first transition; returns its id. */
    open: async (
      alert: Pick<AlertRow, 'host_id' | 'sensor_id' | 'kind' | 'severity' | 'reading' | 'threshold' | 'reason'> & {
        at: Date;
      },
      from: string,
      announced: boolean,
    ) => {
      const row = (await sql.one<{ id: number }>(
        `INSERT INTO tm_alert (host_id, sensor_id, kind, severity, state, fired_at, reading, threshold, reason)
         VALUES ($1, $2, $3, $4, 'firing', $5, $6, $7, $8) RETURNING id`,
        [
          alert.host_id,
          alert.sensor_id,
          alert.kind,
          alert.severity,
          alert.at,
          alert.reading,
          alert.threshold,
          alert.reason,
        ],
      )) as { id: number };
      await transition(row.id, {
        at: alert.at,
        from_state: from,
        to_state: alert.severity,
        reading: alert.reading,
        threshold: alert.threshold,
        announced,
      });
      return row.id;
    },

    /** The firing alert of a sensor, or of a host (sensorId null). */
    firing: (hostId: number, sensorId: number | null) =>
      sql.one<AlertRow>(
        `SELECT ${columns} FROM tm_alert a WHERE a.state = 'firing' AND a.host_id = $1
           AND (($2::int IS NULL AND a.kind = 'host_unreachable') OR a.sensor_id = $2)`,
        [hostId, sensorId],
      ),

    /**
     * Changes a firing alert's severity (warning ⇄ critical): the alert keeps the threshold of its new level, its
     * history the one crossed (going down, the old level's threshold minus the hysteresis).
     */
    escalate: async (
      alertId: number,
      change: {
        from: string;
        to: 'warning' | 'critical';
        at: Date;
        reading: number | null;
        threshold: number | null;
        crossed: number | null;
      },
      announced: boolean,
    ) => {
      await sql.execute('UPDATE tm_alert SET severity = $2, reading = $3, threshold = $4 WHERE id = $1', [
        alertId,
        change.to,
        change.reading,
        change.threshold,
      ]);
      await transition(alertId, {
        at: change.at,
        from_state: change.from,
        to_state: change.to,
        reading: change.reading,
        threshold: change.crossed,
        announced,
      });
    },

    /** Resolves a firing alert. */
    resolve: async (
      alertId: number,
      change: { from: string; at: Date; reading: number | null; threshold: number | null },
      announced: boolean,
    ) => {
      await sql.execute(`UPDATE tm_alert SET state = 'resolved', resolved_at = $2 WHERE id = $1`, [alertId, change.at]);
      await transition(alertId, {
        at: change.at,
        from_state: change.from,
        to_state: 'ok',
        reading: change.reading,
        threshold: change.threshold,
        announced,
      });
    },

    /** Records that a firing alert was announced again. */
    repeated: (alertId: number, at: Date, reading: number | null, threshold: number | null, level: string) =>
      transition(alertId, { at, from_state: level, to_state: level, reading, threshold, announced: true }),

    /** How many alerts are firing. */
    firingCount: async () =>
      Number(
        (await sql.one<{ count: string }>(`SELECT count(*) AS count FROM tm_alert WHERE state = 'firing'`))?.count ?? 0,
      ),

    /** Alerts newest first, optionally only firing or resolved ones. */
    list: (filter: { state?: 'firing' | 'resolved'; hostId?: number; limit: number; offset?: number }) =>
      sql.select<AlertWithNames>(
        `SELECT ${columns}, h.name AS host_name, s.name AS sensor_name
           FROM tm_alert a JOIN tm_host h ON h.id = a.host_id LEFT JOIN tm_sensor s ON s.id = a.sensor_id
          WHERE ($1::text IS NULL OR a.state = $1) AND ($2::int IS NULL OR a.host_id = $2)
          ORDER BY a.state = 'firing' DESC, a.fired_at DESC, a.id DESC LIMIT $3 OFFSET $4`,
        [filter.state ?? null, filter.hostId ?? null, filter.limit, filter.offset ?? 0],
      ),

    /** The transitions of alerts, oldest first. */
    transitions: (alertIds: readonly number[]) =>
      sql.select<TransitionRow>(
        `SELECT alert_id, at, from_state, to_state, reading, threshold, announced FROM tm_alert_transition
          WHERE alert_id = ANY($1::int[]) ORDER BY alert_id, at, id`,
        [alertIds],
      ),
  };
}

/** The alert store's methods. */
export type AlertStore = ReturnType<typeof createAlertStore>;
