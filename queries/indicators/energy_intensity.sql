-- Comprehensive energy consumption and energy intensity by enterprise over the months it
-- reported production, flagged when above its key industry's median.
WITH with_median AS (
    SELECT i.*,
           median(i.energy_intensity) OVER (PARTITION BY i.key_industry) AS industry_median_intensity
    FROM enterprise_energy i
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
