-- Subsidy leverage: investment per yuan of subsidy, by subsidy type (and overall, 'all').
WITH supported AS (
    SELECT subsidy_type, uscc, investment, subsidy_granted
    FROM transformation_projects
    WHERE subsidy_granted > 0
      AND subsidy_type IS NOT NULL
      AND status <> 'cancelled'
),
sums AS (
    SELECT subsidy_type,
           count(DISTINCT uscc) AS enterprises,
           count(*) AS projects,
           sum(investment) AS investment,
           sum(subsidy_granted) AS subsidy_granted
    FROM supported
    GROUP BY ROLLUP (subsidy_type)
)
SELECT COALESCE(subsidy_type, 'all') AS subsidy_type,
       enterprises,
       projects,
       investment,
       subsidy_granted,
       investment / subsidy_granted AS leverage,
       CASE WHEN investment > 0 THEN subsidy_granted / investment END AS subsidy_share
FROM sums
WHERE projects > 0
ORDER BY CASE subsidy_type
             WHEN 'investment' THEN 1
             WHEN 'loan_interest' THEN 2
             WHEN 'guarantee_fee' THEN 3
             WHEN 'all' THEN 5
             ELSE 4
         END,
         subsidy_type
