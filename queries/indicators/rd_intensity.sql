-- R&D intensity (R&D expense ÷ operating revenue) by key industry (and for the park,
-- key_industry 'all') over a range of months; within one zone unless $zone is 'all'.
WITH reported AS (
    SELECT e.key_industry, p.uscc, p.rd_expense, p.revenue
    FROM production_monthly p
    JOIN enterprises e ON e.uscc = p.uscc
    WHERE p.period >= $from
      AND p.period <= $to
      AND p.rd_expense IS NOT NULL
      AND p.revenue IS NOT NULL
      AND ($zone = 'all' OR e.zone = $zone)
),
sums AS (
    SELECT key_industry,
           count(DISTINCT uscc) AS enterprises,
           sum(rd_expense) AS rd_expense,
           sum(revenue) AS revenue
    FROM reported
    GROUP BY ROLLUP (key_industry)
)
SELECT COALESCE(key_industry, 'all') AS key_industry,
       enterprises,
       rd_expense,
       revenue,
       CASE WHEN revenue > 0 THEN rd_expense / revenue END AS rd_intensity
FROM sums
WHERE enterprises > 0
ORDER BY key_industry = 'all', key_industry
