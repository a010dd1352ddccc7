-- Comprehensive energy consumption and energy intensity by enterprise over the months it
-- reported production, flagged when above its key industry's median.
WITH energy_monthly AS (
    -- A reading belongs to the park-time (UTC+8) month in which its interval ends; an interval
    -- ending exactly at local midnight on the 1st belongs to the month before.
    SELECT r.uscc,
           CAST(date_trunc('month', r.ts + INTERVAL '8 hours' - INTERVAL '1 microsecond') AS DATE) AS period,
           sum(r.tce) AS energy_tce
    FROM energy_readings r
    WHERE r.energy_type <> 'water'
    GROUP BY 1, 2
),
enterprise_totals AS (
    SELECT p.uscc,
           count(*) AS months,
           sum(p.added_value) AS added_value,
           sum(m.energy_tce) AS energy_tce
    FROM production_monthly p
    LEFT JOIN energy_monthly m ON m.uscc = p.uscc AND m.period = p.period
    WHERE p.period >= $from
      AND p.period <= $to
    GROUP BY p.uscc
),
intensities AS (
    SELECT e.uscc,
           e.name,
           e.key_industry,
           t.months,
           t.added_value,
           t.energy_tce,
           CASE WHEN t.added_value > 0 THEN t.energy_tce / t.added_value END AS energy_intensity
    FROM enterprise_totals t
    JOIN enterprises e ON e.uscc = t.uscc
),
with_median AS (
    SELECT i.*,
           median(i.energy_intensity) OVER (PARTITION BY i.key_industry) AS industry_median_intensity
    FROM intensities i
)
SELECT uscc,
       name,
       key_industry,
       months,
       added_value,
       energy_tce,
       energy_intensity,
       industry_median_intensity,
       energy_intensity > industry_median_intensity AS above_industry_median
FROM with_median
ORDER BY key_industry, energy_intensity DESC NULLS LAST, uscc
