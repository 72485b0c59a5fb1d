CREATE OR REPLACE VIEW events_dedup AS
SELECT * FROM (
  SELECT e.*,
    CAST(from_iso8601_timestamp(e.event_time) AS timestamp) AS t,
    row_number() OVER (PARTITION BY e.event_id ORDER BY e.event_time, e.dt) AS rn
  FROM events e)
WHERE rn = 1
