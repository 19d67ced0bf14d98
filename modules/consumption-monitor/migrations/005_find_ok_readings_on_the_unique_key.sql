-- Up migration
-- The last ok reading of an endpoint (plausibility, the dashboard, the ledger's recount) is found on the unique key
-- (endpoint_id, recorded_at), which now carries value and status, walking back past any failed reads; the partial
-- index of ok readings that did this is gone. Every reading written kept both indexes up to date, and the second one
-- was a third of what writing a reading cost (docs/consumption-monitor.md, "The energy ledger").
ALTER TABLE cm_reading
  DROP CONSTRAINT cm_reading_endpoint_time_key,
  ADD CONSTRAINT cm_reading_endpoint_time_key UNIQUE (endpoint_id, recorded_at) INCLUDE (value, status);
DROP INDEX cm_reading_ok_idx;

-- Down migration
CREATE INDEX cm_reading_ok_idx ON cm_reading (endpoint_id, recorded_at DESC) INCLUDE (value) WHERE status = 'ok';
ALTER TABLE cm_reading
  DROP CONSTRAINT cm_reading_endpoint_time_key,
  ADD CONSTRAINT cm_reading_endpoint_time_key UNIQUE (endpoint_id, recorded_at);
