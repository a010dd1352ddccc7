-- 亩均效益 by key industry: output value and tax per mu of the industry's land, ranked.
WITH bounds AS (
    SELECT CASE WHEN $year > 0 THEN make_date($year, 1, 1)
                ELSE CAST(max(period) - INTERVAL '11 months' AS DATE) END AS from_period,
           CASE WHEN $year > 0 THEN make_date($year, 12, 1)
                ELSE max(period) END AS to_period
    FROM production_monthly
),
totals AS (
    SELECT p.uscc,
           sum(p.output_value) AS output_value,
           sum(p.tax) AS tax
    FROM production_monthly p
    CROSS JOIN bounds b
    WHERE p.period >= b.from_period
      AND p.period <= b.to_period
    GROUP BY p.uscc
),
industries AS (
    SELECT e.key_industry,
           count(*) AS enterprises,
           sum(e.land_area_mu) AS land_area_mu,
           sum(t.output_value) AS output_value,
           sum(t.tax) AS tax
    FROM totals t
    JOIN enterprises e ON e.uscc = t.uscc
    WHERE e.land_area_mu > 0
    GROUP BY e.key_industry
)
SELECT i.key_industry,
       b.from_period,
       b.to_period,
       i.enterprises,
       i.land_area_mu,
       i.output_value,
       i.tax,
       i.output_value / i.land_area_mu AS output_per_mu,
       i.tax / i.land_area_mu AS tax_per_mu,
       RANK() OVER (ORDER BY i.tax / i.land_area_mu DESC NULLS LAST) AS rank_tax_per_mu,
       RANK() OVER (ORDER BY i.output_value / i.land_area_mu DESC NULLS LAST) AS rank_output_per_mu
FROM industries i
CROSS JOIN bounds b
ORDER BY rank_tax_per_mu, i.key_industry
