WITH steps AS (
  SELECT * FROM (
    SELECT *, row_number() OVER (
      PARTITION BY pipeline, execution_id, stage, action,
        coalesce(action_execution_id, event_id), state
      ORDER BY t, event_id) AS step_rn
    FROM events_dedup
    WHERE level = 'action'
      AND state NOT IN ('STARTED', 'RESUMED', 'STOPPING')
      AND dt > date_format(current_date - INTERVAL '${MetricsPeriodDays}' DAY, '%Y-%m-%d')
      AND dt <= date_format(current_date, '%Y-%m-%d'))
  WHERE step_rn = 1)
SELECT pipeline, stage, action,
  max_by(action_provider, IF(action_provider IS NOT NULL, t)) AS provider,
  count_if(state = 'FAILED') AS failed,
  count_if(state = 'SUCCEEDED') AS succeeded,
  CAST(count_if(state = 'FAILED') AS double)
    / nullif(count_if(state IN ('SUCCEEDED', 'FAILED')), 0) AS failure_rate,
  max_by(error_code, IF(state = 'FAILED', t)) AS last_error_code,
  max_by(error_summary, IF(state = 'FAILED', t)) AS last_error_summary,
  max(IF(state = 'FAILED', t)) AS last_failure_at
FROM steps
WHERE stage IS NOT NULL AND action IS NOT NULL
GROUP BY pipeline, stage, action
HAVING count_if(state = 'FAILED') > 0
ORDER BY failed DESC, failure_rate DESC, pipeline, stage, action
LIMIT 25
