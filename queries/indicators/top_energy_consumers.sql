-- The enterprises that used the most energy (tce) in a range of months, optionally of one key
-- industry and of one zone (ranked among themselves; their share stays of the whole park).
WITH daily AS (
    -- A reading belongs to the park-time (UTC+8) day, and so month, in which its interval
    -- ends; summing by day first keeps the date arithmetic off the readings.
    SELECT r.uscc,
           r.energy_type,
           ceil((date_part('epoch', r.ts) + 28800) / 86400) - 1 AS local_day,
           sum(r.tce) AS tce
    FROM energy_readings r
    WHERE r.energy_type <> 'water'
      AND r.tce IS NOT NULL
    GROUP BY 1, 2, 3
),
readings AS (
    -- The months counted are those whose first day lies in [$from, $to], as a range of days.
    SELECT uscc, energy_type, tce
    FROM daily
    WHERE local_day >= date_part('epoch', date_trunc('month', CAST($from AS TIMESTAMP) + INTERVAL '1 month' - INTERVAL '1 day')) / 86400
      AND local_day < date_part('epoch', date_trunc('month', CAST($to AS TIMESTAMP)) + INTERVAL '1 month') / 86400
),
totals AS (
    SELECT uscc,
           sum(tce) AS energy_tce,
           sum(CASE WHEN energy_type = 'electricity' THEN tce ELSE 0 END) AS electricity_tce,
           sum(CASE WHEN energy_type = 'natural_gas' THEN tce ELSE 0 END) AS natural_gas_tce,
           sum(CASE WHEN energy_type = 'steam' THEN tce ELSE 0 END) AS steam_tce,
           sum(CASE WHEN energy_type NOT IN ('electricity', 'natural_gas', 'steam') THEN tce ELSE 0 END) AS other_tce
    FROM readings
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
    WHERE ($key_industry = 'all' OR e.key_industry = $key_industry)
      AND ($zone = 'all' OR e.zone = $zone)
)
SELECT *
FROM ranked
WHERE energy_rank <= $limit
ORDER BY energy_rank
