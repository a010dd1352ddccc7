-- Comprehensive energy consumption and energy intensity by key industry (and for the park,
-- key_industry 'all'), over the months each enterprise reported production.
WITH energy_monthly AS (
    -- A reading belongs to the park-time (UTC+8) month in which its interval ends.
    SELECT r.uscc,
           CAST(date_trunc('month', r.ts + INTERVAL '8 hours' - INTERVAL '1 microsecond') AS DATE) AS period,
           sum(r.tce) AS energy_tce
    FROM energy_readings r
    WHERE r.energy_type <> 'water'
    GROUP BY 1, 2
),
enterprise_totals AS (
    SELECT p.uscc,
           sum(p.added_value) AS added_value,
           sum(m.energy_tce) AS energy_tce
    FROM production_monthly p
    LEFT JOIN energy_monthly m ON m.uscc = p.uscc AND m.period = p.period
    WHERE p.period >= $from
      AND p.period <= $to
    GROUP BY p.uscc
),
metered AS (
    SELECT e.key_industry,
           t.added_value,
           t.energy_tce,
           CASE WHEN t.added_value > 0 THEN t.energy_tce / t.added_value END AS energy_intensity
    FROM enterprise_totals t
    JOIN enterprises e ON e.uscc = t.uscc
    WHERE t.energy_tce IS NOT NULL
),
industries AS (
    SELECT key_industry,
           count(*) AS enterprises,
           sum(added_value) AS added_value,
           sum(energy_tce) AS energy_tce,
           median(energy_intensity) AS median_enterprise_intensity
    FROM metered
    GROUP BY ROLLUP (key_industry)
)
SELECT COALESCE(key_industry, 'all') AS key_industry,
       enterprises,
       added_value,
       energy_tce,
       CASE WHEN added_value > 0 THEN energy_tce / added_value END AS energy_intensity,
       median_enterprise_intensity
FROM industries
ORDER BY key_industry = 'all', key_industry
