-- Who has sent the reporting round's data: one row per enterprise of the registry, with its
-- last production month and last day of energy readings, late ones first.
WITH round AS (
    -- The round is the month of $period; the default 1900-01-01 stands for the latest month
    -- any enterprise reported production for (the park's current round).
    SELECT CASE
               WHEN $period = DATE '1900-01-01' THEN (SELECT max(date_trunc('month', CAST(period AS TIMESTAMP))) FROM production_monthly)
               ELSE date_trunc('month', CAST($period AS TIMESTAMP))
           END AS first_moment
),
bounds AS (
    SELECT CAST(first_moment AS DATE) AS first_day,
           CAST(first_moment + INTERVAL '1 month' - INTERVAL '1 day' AS DATE) AS last_day
    FROM round
),
production AS (
    SELECT p.uscc,
           max(p.period) AS last_production_period,
           -- The last day the enterprise's production figures cover: the end of its last month.
           CAST(max(date_trunc('month', CAST(p.period AS TIMESTAMP))) + INTERVAL '1 month' - INTERVAL '1 day' AS DATE) AS production_covered_until,
           bool_or(date_trunc('month', CAST(p.period AS TIMESTAMP)) = CAST(b.first_day AS TIMESTAMP)) AS reported_round
    FROM production_monthly p
    CROSS JOIN bounds b
    GROUP BY p.uscc
),
energy AS (
    -- A reading belongs to the park-time (UTC+8) day in which its interval ends: one stamped
    -- at local midnight closes the day before.
    SELECT uscc,
           CAST(date_trunc('day', max(ts) + INTERVAL '8 hours' - INTERVAL '1 microsecond') AS DATE) AS last_energy_day
    FROM energy_readings
    GROUP BY uscc
),
freshness AS (
    SELECT e.uscc,
           e.name,
           e.key_industry,
           b.first_day AS reporting_period,
           p.last_production_period,
           g.last_energy_day,
           NOT COALESCE(p.reported_round, false) AS production_late,
           (g.last_energy_day IS NULL OR g.last_energy_day < b.last_day) AS energy_late,
           CAST($as_of AS INT) - CAST(greatest(p.production_covered_until, g.last_energy_day) AS INT) AS days_since_last_submission
    FROM enterprises e
    CROSS JOIN bounds b
    LEFT JOIN production p ON p.uscc = e.uscc
    LEFT JOIN energy g ON g.uscc = e.uscc
)
SELECT *
FROM freshness
ORDER BY (production_late OR energy_late) DESC,
         days_since_last_submission DESC NULLS FIRST,
         uscc
