-- 亩均效益 by enterprise: output value and tax per mu of land over a year (or the latest twelve
-- months of data), ranked in the park and within the key industry.
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
),
per_mu AS (
    SELECT e.uscc,
           e.name,
           e.key_industry,
           e.land_area_mu,
           t.months,
           t.output_value,
           t.tax,
           t.output_value / e.land_area_mu AS output_per_mu,
           t.tax / e.land_area_mu AS tax_per_mu
    FROM totals t
    JOIN enterprises e ON e.uscc = t.uscc
    WHERE e.land_area_mu > 0
)
SELECT m.uscc,
       m.name,
       m.key_industry,
       b.from_period,
       b.to_period,
       m.months,
       m.land_area_mu,
       m.output_value,
       m.tax,
       m.output_per_mu,
       m.tax_per_mu,
       RANK() OVER (ORDER BY m.tax_per_mu DESC NULLS LAST) AS rank_tax_per_mu,
       RANK() OVER (ORDER BY m.output_per_mu DESC NULLS LAST) AS rank_output_per_mu,
       RANK() OVER (PARTITION BY m.key_industry ORDER BY m.tax_per_mu DESC NULLS LAST) AS industry_rank_tax_per_mu
FROM per_mu m
CROSS JOIN bounds b
ORDER BY rank_tax_per_mu, m.uscc
