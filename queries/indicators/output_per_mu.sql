-- 亩均效益 by enterprise: output value and tax per mu of land over a year (or the latest twelve
-- months of data), ranked in the park and within the key industry.
SELECT uscc,
       name,
       key_industry,
       from_period,
       to_period,
       months,
       land_area_mu,
       output_value,
       tax,
       output_per_mu,
       tax_per_mu,
       RANK() OVER (ORDER BY tax_per_mu DESC NULLS LAST) AS rank_tax_per_mu,
       RANK() OVER (ORDER BY output_per_mu DESC NULLS LAST) AS rank_output_per_mu,
       RANK() OVER (PARTITION BY key_industry ORDER BY tax_per_mu DESC NULLS LAST) AS industry_rank_tax_per_mu
FROM enterprise_output_per_mu
ORDER BY rank_tax_per_mu, uscc
