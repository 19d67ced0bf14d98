-- Up migration
-- NxForge v4 kept endpoints and readings in `endpoint` and `consumption_reading` (the manifest adopts them). Where
-- they exist, they become cm_endpoint and cm_reading with every row (the v5 plan's step 7.2): renamed, the foreign
-- key made ON DELETE CASCADE, indexes renamed, v4's columns mapped and v5's added, so migration 001 finds them in
-- its shape. v4 statuses: `success` is ok, anything else error. The ledger is built for them when the module
-- loads (src/ledger/ledger-backfill.ts). Without v4 tables (a fresh install, or one made by v5) this does nothing.
DO $$
BEGIN
  IF to_regclass('public.endpoint') IS NULL OR to_regclass('public.consumption_reading') IS NULL
     OR to_regclass('public.cm_endpoint') IS NOT NULL THEN
    RETURN;
  END IF;
  ALTER TABLE endpoint RENAME TO cm_endpoint;
  ALTER TABLE consumption_reading RENAME TO cm_reading;
  ALTER TABLE cm_reading DROP CONSTRAINT IF EXISTS consumption_reading_endpoint_id_fkey;
  ALTER TABLE cm_reading ADD CONSTRAINT cm_reading_endpoint_id_fkey
    FOREIGN KEY (endpoint_id) REFERENCES cm_endpoint (id) ON DELETE CASCADE;
  ALTER INDEX endpoint_pkey RENAME TO cm_endpoint_pkey;
  ALTER INDEX consumption_reading_pkey RENAME TO cm_reading_pkey;
  ALTER INDEX IF EXISTS consumption_reading_endpoint_id_timestamp_idx RENAME TO cm_reading_endpoint_time_idx;
  ALTER SEQUENCE consumption_reading_id_seq RENAME TO cm_reading_id_seq;

  ALTER TABLE cm_endpoint RENAME COLUMN poll_interval TO poll_interval_minutes;
  ALTER TABLE cm_endpoint ALTER COLUMN url DROP NOT NULL;
  ALTER TABLE cm_endpoint ALTER COLUMN unit DROP DEFAULT;
  ALTER TABLE cm_endpoint
    ADD COLUMN source text NOT NULL DEFAULT 'browser' CHECK (source IN ('browser', 'http', 'snmp', 'redfish')),
    ADD COLUMN json_path text,
    ADD COLUMN sensor text,
    ADD COLUMN kind text NOT NULL DEFAULT 'counter' CHECK (kind IN ('counter', 'power')),
    ADD COLUMN locale text NOT NULL DEFAULT 'en',
    ADD COLUMN timeout_seconds integer NOT NULL DEFAULT 20 CHECK (timeout_seconds BETWEEN 1 AND 120),
    ADD COLUMN rated_power_kw double precision CHECK (rated_power_kw > 0),
    ADD COLUMN alert_threshold_kwh double precision CHECK (alert_threshold_kwh >= 0),
    ADD COLUMN auth jsonb,
    ADD COLUMN snmp jsonb,
    ADD COLUMN secrets text,
    ADD COLUMN session text,
    ADD COLUMN demo boolean NOT NULL DEFAULT false,
    ADD COLUMN failing_since timestamptz,
    ADD COLUMN stale_since timestamptz,
    ADD COLUMN last_attempt_at timestamptz,
    ADD CONSTRAINT cm_endpoint_unit_check CHECK (unit IN ('Wh', 'kWh', 'W', 'kW')),
    ADD CONSTRAINT cm_endpoint_poll_interval_minutes_check CHECK (poll_interval_minutes BETWEEN 1 AND 1440);
  ALTER TABLE cm_endpoint ALTER COLUMN source DROP DEFAULT, ALTER COLUMN kind DROP DEFAULT;
  UPDATE cm_endpoint SET kind = 'power' WHERE unit IN ('W', 'kW');

  ALTER TABLE cm_reading RENAME COLUMN "timestamp" TO recorded_at;
  ALTER TABLE cm_reading RENAME COLUMN raw_value TO raw;
  ALTER TABLE cm_reading ALTER COLUMN id TYPE bigint;
  ALTER SEQUENCE cm_reading_id_seq AS bigint;
  ALTER TABLE cm_reading
    ADD COLUMN reason text,
    ADD COLUMN error_code text,
    ADD COLUMN screenshot_path text,
    ADD COLUMN reset boolean NOT NULL DEFAULT false,
    ADD COLUMN duration_ms integer;
  UPDATE cm_reading SET status = CASE WHEN status = 'success' AND value IS NOT NULL THEN 'ok' ELSE 'error' END;
  UPDATE cm_reading SET error_code = 'CM_READ_FAILED', value = NULL WHERE status = 'error';
  ALTER TABLE cm_reading
    ADD CONSTRAINT cm_reading_status_check CHECK (status IN ('ok', 'suspect', 'error')),
    ADD CONSTRAINT cm_reading_endpoint_time_key UNIQUE (endpoint_id, recorded_at);
END $$;

-- Down migration
