-- Fund execution by fund source (central / provincial / local, and overall 'all'): the amount
-- disbursed from each source as a share of the subsidy granted to all projects.
WITH paid AS (
    SELECT d.fund_source, d.project_id, d.amount, p.uscc
    FROM fund_disbursements d
    LEFT JOIN transformation_projects p ON p.project_id = d.project_id
    WHERE d.disbursed_on <= $as_of
),
granted AS (
    SELECT sum(subsidy_granted) AS granted
    FROM transformation_projects
    WHERE subsidy_granted > 0
),
total AS (
    SELECT sum(amount) AS disbursed FROM paid
),
sources AS (
    SELECT fund_source,
           count(DISTINCT uscc) AS enterprises,
           count(DISTINCT project_id) AS projects,
           count(*) AS disbursements,
           sum(amount) AS disbursed
    FROM paid
    GROUP BY ROLLUP (fund_source)
),
result AS (
    SELECT COALESCE(s.fund_source, 'all') AS fund_source,
           s.enterprises,
           s.projects,
           s.disbursements,
           s.disbursed,
           g.granted AS granted_total,
           CASE WHEN g.granted > 0 THEN s.disbursed / g.granted END AS execution_rate,
           CASE WHEN t.disbursed > 0 THEN s.disbursed / t.disbursed END AS share_of_disbursed
    FROM sources s
    CROSS JOIN granted g
    CROSS JOIN total t
    WHERE s.disbursements > 0
)
SELECT *
FROM result
ORDER BY CASE fund_source
             WHEN 'central' THEN 1
             WHEN 'provincial' THEN 2
             WHEN 'local' THEN 3
             WHEN 'all' THEN 5
             ELSE 4
         END,
         fund_source
