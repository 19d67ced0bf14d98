-- Up migration
-- (IF NOT EXISTS: migration 000 may have made cm_endpoint and cm_reading from NxForge v4's tables.)
-- An endpoint: a PDU or meter and how to read it. Secrets (passwords, communities, v3 keys, header values,
-- cookies) are sealed with the module's secret box into `secrets`; the device session's cookies into `session`.
CREATE TABLE IF NOT EXISTS cm_endpoint (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  source text NOT NULL CHECK (source IN ('browser', 'http', 'snmp', 'redfish')),
  url text,
  selector text,
  json_path text,
  sensor text,
  unit text NOT NULL CHECK (unit IN ('Wh', 'kWh', 'W', 'kW')),
  kind text NOT NULL CHECK (kind IN ('counter', 'power')),
  locale text NOT NULL DEFAULT 'en',
  poll_interval_minutes integer NOT NULL CHECK (poll_interval_minutes BETWEEN 1 AND 1440),
  timeout_seconds integer NOT NULL DEFAULT 20 CHECK (timeout_seconds BETWEEN 1 AND 120),
  rated_power_kw double precision CHECK (rated_power_kw > 0),
  alert_threshold_kwh double precision CHECK (alert_threshold_kwh >= 0),
  enabled boolean NOT NULL DEFAULT true,
  customer text,
  rack text,
  auth jsonb,
  snmp jsonb,
  secrets text,
  session text,
  demo boolean NOT NULL DEFAULT false,
  failing_since timestamptz,
  stale_since timestamptz,
  last_attempt_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS cm_endpoint_name_key ON cm_endpoint (lower(name));

-- Every attempt to read an endpoint: value in kWh (counters) or kW (power), or why there is none.
CREATE TABLE IF NOT EXISTS cm_reading (
  id bigserial PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES cm_endpoint (id) ON DELETE CASCADE,
  recorded_at timestamptz NOT NULL,
  value double precision,
  status text NOT NULL CHECK (status IN ('ok', 'suspect', 'error')),
  reason text,
  raw text,
  error_code text,
  error_message text,
  screenshot_path text,
  reset boolean NOT NULL DEFAULT false,
  duration_ms integer,
  CONSTRAINT cm_reading_endpoint_time_key UNIQUE (endpoint_id, recorded_at)
);
-- The last ok reading per endpoint (plausibility, the dashboard) is an index-only walk backwards.
CREATE INDEX IF NOT EXISTS cm_reading_ok_idx ON cm_reading (endpoint_id, recorded_at DESC) INCLUDE (value) WHERE status = 'ok';

-- Threshold alerts sent: one per endpoint and month.
CREATE TABLE cm_threshold_alert (
  endpoint_id uuid NOT NULL REFERENCES cm_endpoint (id) ON DELETE CASCADE,
  month text NOT NULL,
  kwh double precision NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (endpoint_id, month)
);

-- Demo devices started by the module on 127.0.0.1, with their ports, so a restart brings them back.
CREATE TABLE cm_demo_device (
  kind text PRIMARY KEY CHECK (kind IN ('pdu-web', 'http-meter', 'snmp-agent', 'redfish')),
  port integer NOT NULL,
  endpoint_id uuid REFERENCES cm_endpoint (id) ON DELETE SET NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  counter_kwh double precision NOT NULL
);

-- Down migration
DROP TABLE cm_demo_device;
DROP TABLE cm_threshold_alert;
DROP TABLE cm_reading;
DROP TABLE cm_endpoint;
