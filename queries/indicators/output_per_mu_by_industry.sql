-- 亩均效益 by key industry: output value and tax per mu of land over a year (or the latest
-- twelve months of data), ranked.
WITH industries AS (
    SELECT key_industry,
           from_period,
           to_period,
           count(*) AS enterprises,
           sum(land_area_mu) AS land_area_mu,
           sum(output_value) AS output_value,
           sum(tax) AS tax
    FROM enterprise_output_per_mu
    GROUP BY key_industry, from_period, to_period
)
SELECT key_industry,
       from_period,
       to_period,
       enterprises,
       land_area_mu,
       output_value,
       tax,
       output_value / land_area_mu AS output_per_mu,
       tax / land_area_mu AS tax_per_mu,
       RANK() OVER (ORDER BY tax / land_area_mu DESC NULLS LAST) AS rank_tax_per_mu,
       RANK() OVER (ORDER BY output_value / land_area_mu DESC NULLS LAST) AS rank_output_per_mu
FROM industries
ORDER BY rank_tax_per_mu, key_industry
