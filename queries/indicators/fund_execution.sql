-- Fund execution rate by project: subsidy disbursed ÷ subsidy granted, as of a date.
WITH paid AS (
    SELECT project_id,
           count(*) AS disbursements,
           sum(amount) AS disbursed,
           max(disbursed_on) AS last_disbursed_on
    FROM fund_disbursements
    WHERE disbursed_on <= $as_of
    GROUP BY project_id
)
SELECT p.project_id,
       p.name,
       p.uscc,
       p.level,
       p.status,
       p.subsidy_type,
       p.subsidy_granted AS granted,
       COALESCE(d.disbursed, 0) AS disbursed,
       CASE WHEN p.subsidy_granted > 0 THEN COALESCE(d.disbursed, 0) / p.subsidy_granted END AS execution_rate,
       COALESCE(d.disbursements, 0) AS disbursements,
       d.last_disbursed_on
FROM transformation_projects p
LEFT JOIN paid d ON d.project_id = p.project_id
WHERE p.subsidy_granted > 0
   OR d.disbursed > 0
ORDER BY p.project_id
