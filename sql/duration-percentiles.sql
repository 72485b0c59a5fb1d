SELECT pipeline, count(*) AS n,
  element_at(array_sort(array_agg(duration_seconds)), (50 * count(*) + 99) / 100) AS p50,
  element_at(array_sort(array_agg(duration_seconds)), (90 * count(*) + 99) / 100) AS p90,
  element_at(array_sort(array_agg(duration_seconds)), (95 * count(*) + 99) / 100) AS p95,
  max(duration_seconds) AS max_seconds
FROM executions
WHERE final_state = 'SUCCEEDED'
  AND date(start_at) > current_date - INTERVAL '${MetricsPeriodDays}' DAY
  AND date(start_at) <= current_date
GROUP BY pipeline
ORDER BY pipeline
