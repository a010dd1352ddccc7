-- Delayed transformation projects: status 'delayed', or past their planned end without an
-- actual end (and neither completed nor cancelled) as of a date.
SELECT p.project_id,
       p.name,
       p.uscc,
       e.name AS enterprise_name,
       e.key_industry,
       p.level,
       p.category,
       p.status,
       p.provider_id,
       p.start_date,
       p.planned_end,
       CASE WHEN p.planned_end < $as_of THEN CAST($as_of AS INT) - CAST(p.planned_end AS INT) END AS days_overdue,
       CASE WHEN p.status = 'delayed' THEN 'status_delayed' ELSE 'past_planned_end' END AS reason,
       p.investment,
       p.subsidy_granted
FROM transformation_projects p
LEFT JOIN enterprises e ON e.uscc = p.uscc
WHERE p.status = 'delayed'
   OR (p.planned_end < $as_of
       AND p.actual_end IS NULL
       AND p.status NOT IN ('completed', 'cancelled'))
ORDER BY days_overdue DESC NULLS LAST, p.project_id
