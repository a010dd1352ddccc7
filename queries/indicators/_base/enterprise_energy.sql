-- Per enterprise, over the months in [$from, $to] for which it reported production: how many
-- months, their added value, the comprehensive energy consumption (tce, water excluded) of
-- those months (null when no reading falls in them) and the energy intensity; only the
-- enterprises of zone $zone (as in enterprises.zone) unless it is 'all'. The base of
-- energy_intensity and energy_intensity_by_industry.
WITH energy_daily AS (
    -- A reading belongs to the park-time (UTC+8) day, and so month, in which its interval
    -- ends; an interval ending exactly at local midnight belongs to the day before. Summing
    -- by day first keeps the month arithmetic off the ten-million-row side.
    SELECT r.uscc,
           ceil((date_part('epoch', r.ts) + 28800) / 86400) - 1 AS local_day,
           sum(r.tce) AS energy_tce
    FROM energy_readings r
    WHERE r.energy_type <> 'water'
    GROUP BY 1, 2
),
energy_monthly AS (
    -- Months are joined by their number (year × 12 + month − 1) rather than by date, so that
    -- the planner does not push the period range down to every reading, where it would
    -- recompute the month of each of millions of rows.
    SELECT uscc,
           CAST(date_part('year', to_timestamp(CAST(local_day * 86400 AS BIGINT))) * 12
                + date_part('month', to_timestamp(CAST(local_day * 86400 AS BIGINT))) - 1 AS BIGINT) AS month_number,
           sum(energy_tce) AS energy_tce
    FROM energy_daily
    GROUP BY 1, 2
),
enterprise_totals AS (
    SELECT p.uscc,
           count(*) AS months,
           sum(p.added_value) AS added_value,
           sum(m.energy_tce) AS energy_tce
    FROM production_monthly p
    LEFT JOIN energy_monthly m
           ON m.uscc = p.uscc
          AND m.month_number = CAST(date_part('year', p.period) * 12 + date_part('month', p.period) - 1 AS BIGINT)
    WHERE p.period >= $from
      AND p.period <= $to
    GROUP BY p.uscc
)
SELECT e.uscc,
       e.name,
       e.key_industry,
       t.months,
       t.added_value,
       t.energy_tce,
       CASE WHEN t.added_value > 0 THEN t.energy_tce / t.added_value END AS energy_intensity
FROM enterprise_totals t
JOIN enterprises e ON e.uscc = t.uscc
WHERE $zone = 'all'
   OR e.zone = $zone
