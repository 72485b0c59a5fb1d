SELECT pipeline, stage, action, max(action_provider) AS provider,
  count_if(state = 'FAILED') AS failed,
  count_if(state = 'SUCCEEDED') AS succeeded,
  CAST(count_if(state = 'FAILED') AS double)
    / nullif(count_if(state IN ('SUCCEEDED', 'FAILED')), 0) AS failure_rate,
  max_by(error_code, IF(state = 'FAILED', t)) AS last_error_code,
  max_by(error_summary, IF(state = 'FAILED', t)) AS last_error_summary,
  max(IF(state = 'FAILED', t)) AS last_failure_at
FROM events_dedup
WHERE level = 'action' AND dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')
GROUP BY pipeline, stage, action
HAVING count_if(state = 'FAILED') > 0
ORDER BY failed DESC, failure_rate DESC, pipeline, stage, action
LIMIT 25
