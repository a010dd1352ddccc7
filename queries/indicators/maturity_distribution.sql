-- GB/T 39116 maturity level distribution by key industry (and for the park, key_industry
-- 'all'), from each enterprise's latest assessment, and the share at level 2 or above; within
-- one zone unless $zone is 'all'.
WITH latest AS (
    SELECT uscc, max(assessed_on) AS assessed_on
    FROM digital_assessment
    WHERE assessed_on <= $as_of
    GROUP BY uscc
),
levels AS (
    SELECT e.key_industry, a.maturity_level
    FROM digital_assessment a
    JOIN latest l ON l.uscc = a.uscc AND l.assessed_on = a.assessed_on
    JOIN enterprises e ON e.uscc = a.uscc
    WHERE a.maturity_level IS NOT NULL
      AND ($zone = 'all' OR e.zone = $zone)
),
counts AS (
    SELECT key_industry,
           count(*) AS enterprises_assessed,
           sum(CASE WHEN maturity_level = 1 THEN 1 ELSE 0 END) AS level_1,
           sum(CASE WHEN maturity_level = 2 THEN 1 ELSE 0 END) AS level_2,
           sum(CASE WHEN maturity_level = 3 THEN 1 ELSE 0 END) AS level_3,
           sum(CASE WHEN maturity_level = 4 THEN 1 ELSE 0 END) AS level_4,
           sum(CASE WHEN maturity_level = 5 THEN 1 ELSE 0 END) AS level_5,
           sum(CASE WHEN maturity_level >= 2 THEN 1 ELSE 0 END) AS level_2_plus,
           avg(CAST(maturity_level AS DOUBLE)) AS mean_level
    FROM levels
    GROUP BY ROLLUP (key_industry)
)
SELECT COALESCE(key_industry, 'all') AS key_industry,
       enterprises_assessed,
       level_1,
       level_2,
       level_3,
       level_4,
       level_5,
       level_2_plus,
       CAST(level_2_plus AS DOUBLE) / enterprises_assessed AS share_level_2_plus,
       mean_level
FROM counts
WHERE enterprises_assessed > 0
ORDER BY key_industry = 'all', key_industry
