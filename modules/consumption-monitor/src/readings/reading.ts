/** A reading as the API returns it (docs/consumption-monitor.md). */
export interface Reading {
  id: string;
  endpointId: string;
  at: string;
  /** kWh for counters, kW for power endpoints; null for an error. */
  value: number | null;
  status: 'ok' | 'suspect' | 'error';
  reason: string | null;
  raw: string | null;
  errorCode: string | null;
  error: string | null;
  screenshot: string | null;
  reset: boolean;
}

/** A row of cm_reading. */
export interface ReadingRow {
  id: string;
  endpoint_id: string;
  recorded_at: Date;
  value: number | null;
  status: Reading['status'];
  reason: string | null;
  raw: string | null;
  error_code: string | null;
  error_message: string | null;
  screenshot_path: string | null;
  reset: boolean;
}

export const readingColumns =
  'id::text AS id, endpoint_id, recorded_at, value, status, reason, raw, error_code, error_message, screenshot_path, reset';

/** The API shape of a row. */
export function toReading(row: ReadingRow): Reading {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    at: new Date(row.recorded_at).toISOString(),
    value: row.value,
    status: row.status,
    reason: row.reason,
    raw: row.raw,
    errorCode: row.error_code,
    error: row.error_message,
    screenshot: row.screenshot_path,
    reset: row.reset,
  };
}
