-- Up migration
-- The ledger's hours summed per endpoint and UTC day (docs/consumption-monitor.md, "The energy ledger"): a month's
-- statement adds up its whole days and only the hours at its edges — about 30 rows an endpoint instead of 744 —
-- so twelve months of 100 endpoints cost little more than a dozen lookups. The days follow the hours by triggers,
-- whoever writes them (the collector's upserts, an import's COPY, a recount's deletes, an endpoint's removal):
-- each statement adds what it inserted and takes away what it deleted or replaced. `estimated_hours` counts the
-- day's hours flagged estimated, so that taking one away is exact.
CREATE TABLE cm_energy_day (
  endpoint_id uuid NOT NULL,
  day timestamptz NOT NULL,
  milliwatt_hours bigint NOT NULL,
  covered_ms bigint NOT NULL,
  estimated_milliwatt_hours bigint NOT NULL,
  estimated_hours integer NOT NULL,
  resets integer NOT NULL,
  CONSTRAINT cm_energy_day_pkey PRIMARY KEY (endpoint_id, day),
  CONSTRAINT cm_energy_day_midnight CHECK (day = date_bin('1 day', day, timestamptz '2000-01-01 00:00Z'))
);
CREATE INDEX cm_energy_day_day_idx ON cm_energy_day (day)
  INCLUDE (endpoint_id, milliwatt_hours, covered_ms, estimated_milliwatt_hours, estimated_hours, resets);

CREATE FUNCTION cm_energy_day_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added text := 'SELECT endpoint_id, hour, milliwatt_hours AS mwh, covered_ms AS covered,
    estimated_milliwatt_hours AS est, estimated::int AS est_hours, resets FROM added';
  removed text := 'SELECT endpoint_id, hour, -milliwatt_hours AS mwh, -covered_ms AS covered,
    -estimated_milliwatt_hours AS est, -(estimated::int) AS est_hours, -resets AS resets FROM removed';
BEGIN
  EXECUTE format(
    $sql$INSERT INTO cm_energy_day AS d
           (endpoint_id, day, milliwatt_hours, covered_ms, estimated_milliwatt_hours, estimated_hours, resets)
         SELECT endpoint_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00Z'), sum(mwh), sum(covered), sum(est), sum(est_hours), sum(resets)
         FROM (%s) AS change GROUP BY 1, 2
         ON CONFLICT (endpoint_id, day) DO UPDATE SET
           milliwatt_hours = d.milliwatt_hours + EXCLUDED.milliwatt_hours,
           covered_ms = d.covered_ms + EXCLUDED.covered_ms,
           estimated_milliwatt_hours = d.estimated_milliwatt_hours + EXCLUDED.estimated_milliwatt_hours,
           estimated_hours = d.estimated_hours + EXCLUDED.estimated_hours,
           resets = d.resets + EXCLUDED.resets$sql$,
    CASE TG_OP WHEN 'INSERT' THEN added WHEN 'DELETE' THEN removed ELSE added || ' UNION ALL ' || removed END);
  RETURN NULL;
END $$;

CREATE TRIGGER cm_energy_hour_days_added AFTER INSERT ON cm_energy_hour
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION cm_energy_day_follow();
CREATE TRIGGER cm_energy_hour_days_changed AFTER UPDATE ON cm_energy_hour
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION cm_energy_day_follow();
CREATE TRIGGER cm_energy_hour_days_removed AFTER DELETE ON cm_energy_hour
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION cm_energy_day_follow();

INSERT INTO cm_energy_day
  SELECT endpoint_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00Z'), sum(milliwatt_hours), sum(covered_ms),
         sum(estimated_milliwatt_hours), count(*) FILTER (WHERE estimated), sum(resets)
  FROM cm_energy_hour GROUP BY 1, 2;

-- An endpoint's days go with it, as its readings and ledger rows do (migration 004).
CREATE OR REPLACE FUNCTION cm_endpoint_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM cm_reading WHERE endpoint_id IN (SELECT id FROM removed);
  DELETE FROM cm_energy_interval WHERE endpoint_id IN (SELECT id FROM removed);
  DELETE FROM cm_energy_hour WHERE endpoint_id IN (SELECT id FROM removed);
  DELETE FROM cm_energy_day WHERE endpoint_id IN (SELECT id FROM removed);
  RETURN NULL;
END $$;

-- Down migration
CREATE OR REPLACE FUNCTION cm_endpoint_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM cm_reading WHERE endpoint_id IN (SELECT id FROM removed);
  DELETE FROM cm_energy_interval WHERE endpoint_id IN (SELECT id FROM removed);
  DELETE FROM cm_energy_hour WHERE endpoint_id IN (SELECT id FROM removed);
  RETURN NULL;
END $$;
DROP TRIGGER cm_energy_hour_days_removed ON cm_energy_hour;
DROP TRIGGER cm_energy_hour_days_changed ON cm_energy_hour;
DROP TRIGGER cm_energy_hour_days_added ON cm_energy_hour;
DROP FUNCTION cm_energy_day_follow();
DROP TABLE cm_energy_day;
