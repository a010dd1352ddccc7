-- Key-process CNC rate and equipment networking rate by key industry (and for the park,
-- key_industry 'all'), counted from the equipment register; within one zone unless $zone is
-- 'all'.
WITH active AS (
    SELECT e.key_industry,
           q.uscc,
           COALESCE(q.is_key_process, false) AS is_key_process,
           COALESCE(q.is_cnc, false) AS is_cnc,
           COALESCE(q.is_networked, false) AS is_networked
    FROM equipment q
    JOIN enterprises e ON e.uscc = q.uscc
    WHERE (q.status IS NULL OR q.status <> 'retired')
      AND ($zone = 'all' OR e.zone = $zone)
),
counts AS (
    SELECT key_industry,
           count(DISTINCT uscc) AS enterprises,
           count(*) AS equipment,
           sum(CASE WHEN is_networked THEN 1 ELSE 0 END) AS networked,
           sum(CASE WHEN is_key_process THEN 1 ELSE 0 END) AS key_process_equipment,
           sum(CASE WHEN is_key_process AND is_cnc THEN 1 ELSE 0 END) AS key_process_cnc
    FROM active
    GROUP BY ROLLUP (key_industry)
)
SELECT COALESCE(key_industry, 'all') AS key_industry,
       enterprises,
       equipment,
       networked,
       CASE WHEN equipment > 0 THEN CAST(networked AS DOUBLE) / equipment END AS networking_rate,
       key_process_equipment,
       key_process_cnc,
       CASE WHEN key_process_equipment > 0 THEN CAST(key_process_cnc AS DOUBLE) / key_process_equipment END AS key_process_cnc_rate
FROM counts
ORDER BY key_industry = 'all', key_industry
