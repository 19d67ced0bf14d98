-- Up migration
-- A month's statement sums every endpoint's hours of the month: their energy, covered time, estimated energy,
-- estimated flag and resets. The index on the hour carried only the energy (enough for the Live Dashboard's month
-- to date), so a statement read each of the month's 74 400 hour rows of 100 endpoints from the table as well; it
-- now carries every summed column and a statement is one index-only scan (docs/consumption-monitor.md).
DROP INDEX cm_energy_hour_hour_idx;
CREATE INDEX cm_energy_hour_hour_idx ON cm_energy_hour (hour)
  INCLUDE (endpoint_id, milliwatt_hours, covered_ms, estimated_milliwatt_hours, estimated, resets);

-- Down migration
DROP INDEX cm_energy_hour_hour_idx;
CREATE INDEX cm_energy_hour_hour_idx ON cm_energy_hour (hour) INCLUDE (endpoint_id, milliwatt_hours);
