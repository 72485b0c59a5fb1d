WITH daily AS (
  SELECT date(start_at) AS day, 'pipeline' AS level, pipeline,
    CAST(NULL AS varchar) AS stage, CAST(NULL AS varchar) AS action,
    count_if(final_state = 'SUCCEEDED') AS succeeded,
    count_if(final_state = 'FAILED') AS failed,
    count_if(final_state IN ('STOPPED','CANCELED','ABANDONED')) AS stopped,
    count_if(final_state = 'SUPERSEDED') AS superseded
  FROM executions GROUP BY 1, 2, 3, 4, 5
  UNION ALL
  SELECT date(t) AS day, level, pipeline, stage, action,
    count_if(state = 'SUCCEEDED'), count_if(state = 'FAILED'),
    count_if(state IN ('STOPPED','CANCELED','ABANDONED')), count_if(state = 'SUPERSEDED')
  FROM events_dedup WHERE level IN ('stage', 'action') GROUP BY 1, 2, 3, 4, 5),
rated AS (
  SELECT *, CAST(failed AS double) / nullif(succeeded + failed, 0) AS failure_rate
  FROM daily)
SELECT day, level, pipeline, stage, action, succeeded, failed, stopped, superseded,
  failure_rate,
  lag(failure_rate) OVER (PARTITION BY level, pipeline, stage, action ORDER BY day)
    AS previous_day_failure_rate
FROM rated
WHERE day >= current_date - INTERVAL '30' DAY
ORDER BY day DESC, pipeline, level, stage, action
