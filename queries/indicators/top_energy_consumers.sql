-- The enterprises that used the most energy (tce) in a range of months.
WITH readings AS (
    -- A reading belongs to the park-time (UTC+8) month in which its interval ends.
    SELECT r.uscc,
           r.energy_type,
           r.tce,
           CAST(date_trunc('month', r.ts + INTERVAL '8 hours' - INTERVAL '1 microsecond') AS DATE) AS period
    FROM energy_readings r
    WHERE r.energy_type <> 'water'
      AND r.tce IS NOT NULL
),
totals AS (
    SELECT uscc,
           sum(tce) AS energy_tce,
           sum(CASE WHEN energy_type = 'electricity' THEN tce ELSE 0 END) AS electricity_tce,
           sum(CASE WHEN energy_type = 'natural_gas' THEN tce ELSE 0 END) AS natural_gas_tce,
           sum(CASE WHEN energy_type = 'steam' THEN tce ELSE 0 END) AS steam_tce,
           sum(CASE WHEN energy_type NOT IN ('electricity', 'natural_gas', 'steam') THEN tce ELSE 0 END) AS other_tce
    FROM readings
    WHERE period >= $from
      AND period <= $to
    GROUP BY uscc
),
park AS (
    SELECT sum(energy_tce) AS energy_tce FROM totals
),
ranked AS (
    SELECT ROW_NUMBER() OVER (ORDER BY t.energy_tce DESC, t.uscc) AS energy_rank,
           t.uscc,
           e.name,
           e.key_industry,
           t.energy_tce,
           t.electricity_tce,
           t.natural_gas_tce,
           t.steam_tce,
           t.other_tce,
           t.energy_tce / park.energy_tce AS share_of_park
    FROM totals t
    CROSS JOIN park
    LEFT JOIN enterprises e ON e.uscc = t.uscc
    WHERE $key_industry = 'all'
       OR e.key_industry = $key_industry
)
SELECT *
FROM ranked
WHERE energy_rank <= $limit
ORDER BY energy_rank
