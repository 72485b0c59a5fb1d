-- The view executions: template.yaml creates it as the Glue table MetricsExecutionsView
-- (`cargo run -p integration-tests --bin sync-template-sql` copies this file there). Its
-- columns, in the order the SELECT returns them, with their Trino types:
-- column: pipeline varchar
-- column: execution_id varchar
-- column: account varchar
-- column: region varchar
-- column: final_state varchar
-- column: start_at timestamp(3)
-- column: end_at timestamp(3)
-- column: duration_seconds double
-- column: attempts integer
-- column: commit_id varchar
CREATE OR REPLACE VIEW executions AS
WITH p AS (
  SELECT *,
    CASE WHEN state IN ('SUCCEEDED','FAILED','CANCELED','STOPPED','SUPERSEDED','ABANDONED') THEN 2
         WHEN state = 'STOPPING' THEN 1 ELSE 0 END AS state_rank
  FROM events_dedup WHERE level = 'pipeline'),
last AS (
  SELECT * FROM (
    SELECT p.*, row_number() OVER (PARTITION BY pipeline, execution_id
      ORDER BY t DESC, coalesce(attempt, 0) DESC, state_rank DESC, event_id DESC) AS r
    FROM p)
  WHERE r = 1),
span AS (
  SELECT pipeline, execution_id, max(attempt) AS attempts,
    coalesce(min(CAST(from_iso8601_timestamp(start_time) AS timestamp)), min(t)) AS start_at
  FROM p GROUP BY pipeline, execution_id),
commits AS (
  SELECT pipeline, execution_id, min_by(commit_id, t) AS commit_id
  FROM events_dedup WHERE commit_id IS NOT NULL GROUP BY pipeline, execution_id)
SELECT l.pipeline, l.execution_id, l.account, l.region, l.state AS final_state,
  s.start_at, IF(l.state_rank = 2, l.t) AS end_at,
  date_diff('millisecond', s.start_at, IF(l.state_rank = 2, l.t)) / 1e3 AS duration_seconds,
  s.attempts, c.commit_id
FROM last l
JOIN span s ON s.pipeline = l.pipeline AND s.execution_id = l.execution_id
LEFT JOIN commits c ON c.pipeline = l.pipeline AND c.execution_id = l.execution_id
