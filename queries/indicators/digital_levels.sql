-- Key-process CNC rate, digital R&D tool rate and equipment networking rate by key industry
-- (and for the park, key_industry 'all'), from each enterprise's latest assessment, against the
-- national 2025 targets; within one zone unless $zone is 'all'.
WITH latest AS (
    SELECT uscc, max(assessed_on) AS assessed_on
    FROM digital_assessment
    WHERE assessed_on <= $as_of
    GROUP BY uscc
),
assessed AS (
    SELECT e.key_industry,
           a.key_process_cnc_rate,
           a.digital_rd_tool_rate,
           a.equipment_networking_rate
    FROM digital_assessment a
    JOIN latest l ON l.uscc = a.uscc AND l.assessed_on = a.assessed_on
    JOIN enterprises e ON e.uscc = a.uscc
    WHERE $zone = 'all'
       OR e.zone = $zone
),
rates AS (
    SELECT key_industry,
           count(*) AS enterprises_assessed,
           avg(key_process_cnc_rate) AS key_process_cnc_rate,
           sum(CASE WHEN digital_rd_tool_rate > 0 THEN 1 ELSE 0 END) AS rd_tool_users,
           count(digital_rd_tool_rate) AS rd_tool_assessed,
           avg(equipment_networking_rate) AS equipment_networking_rate
    FROM assessed
    GROUP BY ROLLUP (key_industry)
)
SELECT COALESCE(key_industry, 'all') AS key_industry,
       enterprises_assessed,
       key_process_cnc_rate,
       $cnc_target AS cnc_target,
       key_process_cnc_rate >= $cnc_target AS meets_cnc_target,
       rd_tool_users,
       rd_tool_assessed,
       CASE WHEN rd_tool_assessed > 0 THEN CAST(rd_tool_users AS DOUBLE) / rd_tool_assessed END AS digital_rd_tool_rate,
       $rd_tool_target AS rd_tool_target,
       CASE WHEN rd_tool_assessed > 0 THEN CAST(rd_tool_users AS DOUBLE) / rd_tool_assessed >= $rd_tool_target END AS meets_rd_tool_target,
       equipment_networking_rate
FROM rates
ORDER BY key_industry = 'all', key_industry
