-- Up migration
-- Readings and the ledger's rows are tied to their endpoint by triggers that work per statement instead of by
-- foreign keys, which check every row on its own: an import of a year of readings writes 3.5 M readings and about
-- 4.4 M ledger rows (intervals and hours), and the per-row check was about half of what writing them cost
-- (docs/consumption-monitor.md, "The energy ledger").
-- The guarantees stay those of a foreign key with ON DELETE CASCADE:
-- * rows added or moved to an endpoint that does not exist are refused (SQLSTATE 23503, as a foreign key does);
-- * the endpoints they name are locked FOR KEY SHARE, as a foreign key's check locks them, so deleting one waits
--   until the transaction that wrote them ends, and then takes them with it;
-- * deleting an endpoint deletes its readings and ledger rows in the same statement.
ALTER TABLE cm_reading DROP CONSTRAINT cm_reading_endpoint_id_fkey;
ALTER TABLE cm_energy_interval DROP CONSTRAINT cm_energy_interval_endpoint_id_fkey;
ALTER TABLE cm_energy_hour DROP CONSTRAINT cm_energy_hour_endpoint_id_fkey;

CREATE FUNCTION cm_endpoints_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  wanted bigint;
  locked bigint;
BEGIN
  SELECT count(DISTINCT endpoint_id) INTO wanted FROM written;
  SELECT count(*) INTO locked FROM (
    SELECT 1 FROM cm_endpoint WHERE id IN (SELECT endpoint_id FROM written) FOR KEY SHARE) AS still_there;
  IF locked < wanted THEN
    RAISE EXCEPTION 'insert or update on table "%" violates its tie to cm_endpoint', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = 'A row names an endpoint that does not exist.';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER cm_reading_added AFTER INSERT ON cm_reading
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION cm_endpoints_exist();
CREATE TRIGGER cm_reading_changed AFTER UPDATE ON cm_reading
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION cm_endpoints_exist();
CREATE TRIGGER cm_energy_interval_added AFTER INSERT ON cm_energy_interval
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION cm_endpoints_exist();
CREATE TRIGGER cm_energy_interval_changed AFTER UPDATE ON cm_energy_interval
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION cm_endpoints_exist();
CREATE TRIGGER cm_energy_hour_added AFTER INSERT ON cm_energy_hour
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION cm_endpoints_exist();
CREATE TRIGGER cm_energy_hour_changed AFTER UPDATE ON cm_energy_hour
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION cm_endpoints_exist();

CREATE FUNCTION cm_endpoint_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM cm_reading WHERE endpoint_id IN (SELECT id FROM removed);
  DELETE FROM cm_energy_interval WHERE endpoint_id IN (SELECT id FROM removed);
  DELETE FROM cm_energy_hour WHERE endpoint_id IN (SELECT id FROM removed);
  RETURN NULL;
END $$;

CREATE TRIGGER cm_endpoint_cascade AFTER DELETE ON cm_endpoint
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION cm_endpoint_cascade();

-- Down migration
DROP TRIGGER cm_endpoint_cascade ON cm_endpoint;
DROP FUNCTION cm_endpoint_cascade();
DROP TRIGGER cm_energy_hour_changed ON cm_energy_hour;
DROP TRIGGER cm_energy_hour_added ON cm_energy_hour;
DROP TRIGGER cm_energy_interval_changed ON cm_energy_interval;
DROP TRIGGER cm_energy_interval_added ON cm_energy_interval;
DROP TRIGGER cm_reading_changed ON cm_reading;
DROP TRIGGER cm_reading_added ON cm_reading;
DROP FUNCTION cm_endpoints_exist();
ALTER TABLE cm_energy_hour ADD CONSTRAINT cm_energy_hour_endpoint_id_fkey
  FOREIGN KEY (endpoint_id) REFERENCES cm_endpoint (id) ON DELETE CASCADE;
ALTER TABLE cm_energy_interval ADD CONSTRAINT cm_energy_interval_endpoint_id_fkey
  FOREIGN KEY (endpoint_id) REFERENCES cm_endpoint (id) ON DELETE CASCADE;
ALTER TABLE cm_reading ADD CONSTRAINT cm_reading_endpoint_id_fkey
  FOREIGN KEY (endpoint_id) REFERENCES cm_endpoint (id) ON DELETE CASCADE;
