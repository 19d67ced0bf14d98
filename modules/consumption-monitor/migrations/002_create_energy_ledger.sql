-- Up migration
-- The energy ledger (docs/billing.md): each interval between two consecutive ok readings of an endpoint,
-- computed once when the later reading is stored, and what it adds to each UTC hour it spans. A month's figure
-- is a sum over its hours, not a scan of readings. Energy is in whole milliwatt-hours, so sums are exact.
CREATE TABLE cm_energy_interval (
  endpoint_id uuid NOT NULL REFERENCES cm_endpoint (id) ON DELETE CASCADE,
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  start_value double precision NOT NULL,
  end_value double precision NOT NULL,
  milliwatt_hours bigint NOT NULL,
  gap boolean NOT NULL,
  reset boolean NOT NULL,
  estimated boolean NOT NULL,
  CONSTRAINT cm_energy_interval_pkey PRIMARY KEY (endpoint_id, end_at),
  CONSTRAINT cm_energy_interval_order CHECK (start_at < end_at)
);

CREATE TABLE cm_energy_hour (
  endpoint_id uuid NOT NULL REFERENCES cm_endpoint (id) ON DELETE CASCADE,
  hour timestamptz NOT NULL,
  milliwatt_hours bigint NOT NULL DEFAULT 0,
  covered_ms bigint NOT NULL DEFAULT 0,
  estimated_milliwatt_hours bigint NOT NULL DEFAULT 0,
  estimated boolean NOT NULL DEFAULT false,
  resets integer NOT NULL DEFAULT 0,
  CONSTRAINT cm_energy_hour_pkey PRIMARY KEY (endpoint_id, hour)
);
-- Every endpoint's hours of a month in one index-only scan (the Live Dashboard's month to date).
CREATE INDEX cm_energy_hour_hour_idx ON cm_energy_hour (hour) INCLUDE (endpoint_id, milliwatt_hours);

-- Down migration
DROP TABLE cm_energy_hour;
DROP TABLE cm_energy_interval;
