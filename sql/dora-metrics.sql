WITH prod AS (
  SELECT * FROM executions
  WHERE pipeline IN ('${Production}') AND final_state IN ('SUCCEEDED', 'FAILED')
    AND date(end_at) > current_date - INTERVAL '${MetricsPeriodDays}' DAY
    AND date(end_at) <= current_date),
change_start AS (
  SELECT commit_id, min(start_at) AS first_start
  FROM executions WHERE commit_id IS NOT NULL GROUP BY commit_id),
lead AS (
  SELECT date_diff('millisecond',
    least(coalesce(cs.first_start, d.start_at), d.start_at), d.end_at) / 1e3 AS seconds
  FROM prod d LEFT JOIN change_start cs ON cs.commit_id = d.commit_id
  WHERE d.final_state = 'SUCCEEDED'),
marked AS (
  SELECT *, sum(IF(final_state = 'SUCCEEDED', 1, 0)) OVER (
    PARTITION BY pipeline ORDER BY end_at, execution_id
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ok_so_far
  FROM prod),
incidents AS (
  SELECT pipeline, ok_so_far, min(end_at) AS opened
  FROM marked WHERE final_state = 'FAILED' GROUP BY pipeline, ok_so_far),
recoveries AS (
  SELECT date_diff('millisecond', i.opened, m.end_at) / 1e3 AS seconds
  FROM incidents i JOIN marked m ON m.pipeline = i.pipeline
    AND m.final_state = 'SUCCEEDED' AND m.ok_so_far = i.ok_so_far + 1),
metrics AS (
  SELECT
    (SELECT count_if(final_state = 'SUCCEEDED') FROM prod) / CAST(${MetricsPeriodDays} AS double)
        AS deployments_per_day,
    (SELECT element_at(array_sort(array_agg(seconds)), (50 * count(*) + 99) / 100) FROM lead)
      AS lead_time_seconds,
    (SELECT element_at(array_sort(array_agg(seconds)), (50 * count(*) + 99) / 100) FROM recoveries)
      AS failed_deployment_recovery_seconds,
    (SELECT CAST(count_if(final_state = 'FAILED') AS double) / nullif(count(*), 0) FROM prod)
      AS change_failure_rate)
SELECT deployments_per_day,
  CASE WHEN deployments_per_day >= 1 THEN 'elite'
       WHEN deployments_per_day >= 1e0 / 30 THEN 'high'
       WHEN deployments_per_day >= 1e0 / 182 THEN 'medium' ELSE 'low' END AS deployment_frequency_tier,
  lead_time_seconds,
  CASE WHEN lead_time_seconds IS NULL THEN NULL
       WHEN lead_time_seconds < 3600 THEN 'elite'
       WHEN lead_time_seconds < 7 * 86400 THEN 'high'
       WHEN lead_time_seconds < 182 * 86400 THEN 'medium' ELSE 'low' END AS lead_time_tier,
  failed_deployment_recovery_seconds,
  CASE WHEN failed_deployment_recovery_seconds IS NULL THEN NULL
       WHEN failed_deployment_recovery_seconds < 3600 THEN 'elite'
       WHEN failed_deployment_recovery_seconds < 86400 THEN 'high'
       WHEN failed_deployment_recovery_seconds < 7 * 86400 THEN 'medium' ELSE 'low' END AS failed_deployment_recovery_tier,
  change_failure_rate,
  CASE WHEN change_failure_rate IS NULL THEN NULL
       WHEN change_failure_rate <= 0.15 THEN 'elite'
       WHEN change_failure_rate <= 0.30 THEN 'high'
       WHEN change_failure_rate <= 0.45 THEN 'medium' ELSE 'low' END AS change_failure_rate_tier
FROM metrics
