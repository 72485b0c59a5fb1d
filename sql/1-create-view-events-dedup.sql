-- The view events_dedup: template.yaml creates it as the Glue table MetricsEventsDedupView
-- (`cargo run -p integration-tests --bin sync-template-sql` copies this file there). Its
-- columns, in the order the SELECT returns them, with their Trino types: e.* is every
-- column of the table events, then its partition key dt.
-- column: event_id varchar
-- column: event_time varchar
-- column: level varchar
-- column: account varchar
-- column: region varchar
-- column: pipeline varchar
-- column: execution_id varchar
-- column: attempt integer
-- column: pipeline_version integer
-- column: stage varchar
-- column: action varchar
-- column: action_execution_id varchar
-- column: state varchar
-- column: action_owner varchar
-- column: action_category varchar
-- column: action_provider varchar
-- column: action_version varchar
-- column: action_region varchar
-- column: start_time varchar
-- column: trigger_type varchar
-- column: trigger_detail varchar
-- column: commit_id varchar
-- column: branch varchar
-- column: external_execution_id varchar
-- column: external_execution_url varchar
-- column: summary varchar
-- column: error_code varchar
-- column: error_summary varchar
-- column: source varchar
-- column: raw_event varchar
-- column: dt varchar
-- column: t timestamp(3)
-- column: rn bigint
CREATE OR REPLACE VIEW events_dedup AS
SELECT * FROM (
  SELECT e.*,
    CAST(from_iso8601_timestamp(e.event_time) AS timestamp) AS t,
    row_number() OVER (PARTITION BY e.event_id ORDER BY e.event_time, e.dt) AS rn
  FROM events e)
WHERE rn = 1
