-- Up migration

-- A BMC (or a device web page) read for temperatures.
CREATE TABLE tm_host (
  id serial PRIMARY KEY,
  name text NOT NULL,
  address text NOT NULL,
  source text NOT NULL CHECK (source IN ('redfish', 'ipmi', 'scrape')),
  username text NOT NULL DEFAULT '',
  -- sealed with the module's secrets, bound to the host's id; never shown back
  password_sealed text,
  -- null: the module's pollIntervalSeconds setting
  poll_interval_seconds integer CHECK (poll_interval_seconds IS NULL OR poll_interval_seconds >= 60),
  enabled boolean NOT NULL DEFAULT true,
  rack text NOT NULL DEFAULT '',
  room text NOT NULL DEFAULT '',
  -- per source: redfish {auth, verifyTls}, ipmi {interface, cipherSuite}, scrape {url, sensors: [{name, selector}]}
  options jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'unreachable', 'error')),
  error_code text,
  error_message text,
  last_polled_at timestamptz,
  -- the host_unreachable state machine's memory
  alert_memory jsonb NOT NULL DEFAULT '{}',
  -- a Redfish session (token and URI), sealed; reused by every poll and deleted when the module stops
  session_sealed text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tm_host_name_key ON tm_host (lower(name));

-- A sensor of a host that is tracked.
CREATE TABLE tm_sensor (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES tm_host (id) ON DELETE CASCADE,
  -- stable within the host: a Redfish resource id, an IPMI sensor name, a scrape sensor name
  key text NOT NULL,
  name text NOT NULL,
  unit text NOT NULL DEFAULT '°C',
  device_thresholds jsonb NOT NULL DEFAULT '{}',
  overrides jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL DEFAULT 'unknown' CHECK (state IN ('ok', 'warning', 'critical', 'unknown', 'disabled')),
  reading double precision,
  read_at timestamptz,
  -- why the state is unknown or disabled
  note text,
  -- the alert state machine's memory
  alert_memory jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (host_id, key)
);

-- Raw readings, kept for the rawRetentionDays setting.
CREATE TABLE tm_reading (
  sensor_id integer NOT NULL REFERENCES tm_sensor (id) ON DELETE CASCADE,
  recorded_at timestamptz NOT NULL,
  celsius double precision NOT NULL,
  PRIMARY KEY (sensor_id, recorded_at)
);
-- Readings arrive in time order, so a BRIN index finds the old ones for the cleanup job at almost no cost.
CREATE INDEX tm_reading_recorded_at_brin ON tm_reading USING brin (recorded_at);

-- Hourly rollups, maintained as readings arrive and kept two years.
CREATE TABLE tm_rollup_hourly (
  sensor_id integer NOT NULL REFERENCES tm_sensor (id) ON DELETE CASCADE,
  hour timestamptz NOT NULL,
  min_celsius double precision NOT NULL,
  max_celsius double precision NOT NULL,
  sum_celsius double precision NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (sensor_id, hour)
);
CREATE INDEX tm_rollup_hourly_hour_brin ON tm_rollup_hourly USING brin (hour);

-- Alerts: a sensor past its thresholds (one row from leaving ok to coming back), or a host that does not answer.
CREATE TABLE tm_alert (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES tm_host (id) ON DELETE CASCADE,
  sensor_id integer REFERENCES tm_sensor (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('sensor', 'host_unreachable')),
  severity text NOT NULL CHECK (severity IN ('warning', 'critical')),
  state text NOT NULL CHECK (state IN ('firing', 'resolved')),
  fired_at timestamptz NOT NULL,
  resolved_at timestamptz,
  reading double precision,
  threshold double precision,
  -- host alerts: what the host answered
  reason text,
  CHECK ((kind = 'sensor') = (sensor_id IS NOT NULL))
);
CREATE UNIQUE INDEX tm_alert_firing_sensor_key ON tm_alert (sensor_id) WHERE state = 'firing' AND kind = 'sensor';
CREATE UNIQUE INDEX tm_alert_firing_host_key ON tm_alert (host_id) WHERE state = 'firing' AND kind = 'host_unreachable';
CREATE INDEX tm_alert_fired_at_idx ON tm_alert (fired_at DESC);

-- Every transition of an alert, for the alert history.
CREATE TABLE tm_alert_transition (
  id bigserial PRIMARY KEY,
  alert_id integer NOT NULL REFERENCES tm_alert (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  reading double precision,
  threshold double precision,
  -- whether the transition was announced (an event emitted)
  announced boolean NOT NULL
);
CREATE INDEX tm_alert_transition_alert_idx ON tm_alert_transition (alert_id, at);

-- Down migration
DROP TABLE tm_alert_transition;
DROP TABLE tm_alert;
DROP TABLE tm_rollup_hourly;
DROP TABLE tm_reading;
DROP TABLE tm_sensor;
DROP TABLE tm_host;
