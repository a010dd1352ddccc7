-- Comprehensive energy consumption and energy intensity by key industry (and for the park,
-- key_industry 'all'), over the months each enterprise reported production.
WITH industries AS (
    SELECT key_industry,
           count(*) AS enterprises,
           sum(added_value) AS added_value,
           sum(energy_tce) AS energy_tce,
           median(energy_intensity) AS median_enterprise_intensity
    FROM enterprise_energy
    WHERE energy_tce IS NOT NULL
    GROUP BY ROLLUP (key_industry)
)
SELECT COALESCE(key_industry, 'all') AS key_industry,
       enterprises,
       added_value,
       energy_tce,
       CASE WHEN added_value > 0 THEN energy_tce / added_value END AS energy_intensity,
       median_enterprise_intensity
FROM industries
ORDER BY key_industry = 'all', key_industry
