-- Comprehensive energy consumption and energy intensity by key industry (and for the park,
-- key_industry 'all'), over the months each enterprise reported production.
WITH energy_daily AS (
    -- A reading belongs to the park-time (UTC+8) day, and so month, in which its interval
    -- ends; summing by day first keeps the month arithmetic off the readings.
    SELECT r.uscc,
           ceil((date_part('epoch', r.ts) + 28800) / 86400) - 1 AS local_day,
           sum(r.tce) AS energy_tce
    FROM energy_readings r
    WHERE r.energy_type <> 'water'
    GROUP BY 1, 2
),
energy_monthly AS (
    -- Joined by month number (year × 12 + month − 1), not by date: see energy_intensity.sql.
    SELECT uscc,
           CAST(date_part('year', to_timestamp(CAST(local_day * 86400 AS BIGINT))) * 12
                + date_part('month', to_timestamp(CAST(local_day * 86400 AS BIGINT))) - 1 AS BIGINT) AS month_number,
           sum(energy_tce) AS energy_tce
    FROM energy_daily
    GROUP BY 1, 2
),
enterprise_totals AS (
    SELECT p.uscc,
           sum(p.added_value) AS added_value,
           sum(m.energy_tce) AS energy_tce
    FROM production_monthly p
    LEFT JOIN energy_monthly m
           ON m.uscc = p.uscc
          AND m.month_number = CAST(date_part('year', p.period) * 12 + date_part('month', p.period) - 1 AS BIGINT)
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
