WITH steps AS (
  SELECT * FROM (
    SELECT *, row_number() OVER (
      PARTITION BY level, pipeline, execution_id, stage, action,
        coalesce(action_execution_id, event_id), state
      ORDER BY t, event_id) AS step_rn
    FROM events_dedup
    WHERE level IN ('stage', 'action')
      AND state NOT IN ('STARTED', 'RESUMED', 'STOPPING')
      AND dt > date_format(current_date - INTERVAL '${MetricsPeriodDays}' DAY, '%Y-%m-%d')
      AND dt <= date_format(current_date, '%Y-%m-%d'))
  WHERE step_rn = 1),
daily AS (
  SELECT date(start_at) AS day, 'pipeline' AS level, pipeline,
    CAST(NULL AS varchar) AS stage, CAST(NULL AS varchar) AS action,
    count_if(final_state = 'SUCCEEDED') AS succeeded,
    count_if(final_state = 'FAILED') AS failed,
    count_if(final_state IN ('STOPPED', 'CANCELED', 'ABANDONED')) AS stopped,
    count_if(final_state = 'SUPERSEDED') AS superseded,
    count_if(final_state IN ('STARTED', 'RESUMED', 'STOPPING')) AS in_progress,
    count_if(final_state NOT IN ('SUCCEEDED', 'FAILED', 'STOPPED', 'CANCELED', 'ABANDONED',
      'SUPERSEDED', 'STARTED', 'RESUMED', 'STOPPING')) AS unknown
  FROM executions
  WHERE date(start_at) > current_date - INTERVAL '${MetricsPeriodDays}' DAY
    AND date(start_at) <= current_date
  GROUP BY 1, 2, 3, 4, 5
  UNION ALL
  SELECT date(t) AS day, level, pipeline, stage, action,
    count_if(state = 'SUCCEEDED'), count_if(state = 'FAILED'),
    count_if(state IN ('STOPPED', 'CANCELED', 'ABANDONED')), count_if(state = 'SUPERSEDED'),
    0,
    count_if(state NOT IN ('SUCCEEDED', 'FAILED', 'STOPPED', 'CANCELED', 'ABANDONED',
      'SUPERSEDED'))
  FROM steps GROUP BY 1, 2, 3, 4, 5),
rated AS (
  SELECT *, CAST(failed AS double) / nullif(succeeded + failed, 0) AS failure_rate
  FROM daily)
SELECT day, level, pipeline, stage, action, succeeded, failed, stopped, superseded,
  in_progress, unknown, failure_rate,
  IF(lag(day) OVER (PARTITION BY level, pipeline, stage, action ORDER BY day)
      = day - INTERVAL '1' DAY,
    lag(failure_rate) OVER (PARTITION BY level, pipeline, stage, action ORDER BY day))
    AS previous_day_failure_rate
FROM rated
ORDER BY day DESC, pipeline, level, stage, action
