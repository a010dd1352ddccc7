-- Per enterprise with a land area: output value and tax summed over the window, and per mu
-- of land. The window (from_period, to_period, on every row) is the calendar year $year, or
-- the twelve months ending with the latest month of data when $year is 0 (the park's latest
-- month, whatever the zone). Only the enterprises of zone $zone (as in enterprises.zone)
-- unless it is 'all'. The base of output_per_mu and output_per_mu_by_industry.
WITH bounds AS (
    SELECT CASE WHEN $year > 0 THEN make_date($year, 1, 1)
                ELSE CAST(max(period) - INTERVAL '11 months' AS DATE) END AS from_period,
           CASE WHEN $year > 0 THEN make_date($year, 12, 1)
                ELSE max(period) END AS to_period
    FROM production_monthly
),
totals AS (
    SELECT p.uscc,
           count(*) AS months,
           sum(p.output_value) AS output_value,
           sum(p.tax) AS tax
    FROM production_monthly p
    CROSS JOIN bounds b
    WHERE p.period >= b.from_period
      AND p.period <= b.to_period
    GROUP BY p.uscc
)
SELECT e.uscc,
       e.name,
       e.key_industry,
       b.from_period,
       b.to_period,
       e.land_area_mu,
       t.months,
       t.output_value,
       t.tax,
       t.output_value / e.land_area_mu AS output_per_mu,
       t.tax / e.land_area_mu AS tax_per_mu
FROM totals t
JOIN enterprises e ON e.uscc = t.uscc
CROSS JOIN bounds b
WHERE e.land_area_mu > 0
  AND ($zone = 'all' OR e.zone = $zone)
