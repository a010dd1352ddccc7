-- Output value and added value by key industry and month (with a park total, key_industry
-- 'all'), and their growth over the same month of the year before; within one zone unless
-- $zone is 'all'.
WITH monthly AS (
    SELECT COALESCE(e.key_industry, 'all') AS key_industry,
           p.period,
           count(DISTINCT p.uscc) AS enterprises,
           sum(p.output_value) AS output_value,
           sum(p.added_value) AS added_value
    FROM production_monthly p
    JOIN enterprises e ON e.uscc = p.uscc
    WHERE $zone = 'all'
       OR e.zone = $zone
    GROUP BY GROUPING SETS ((e.key_industry, p.period), (p.period))
)
SELECT cur.key_industry,
       cur.period,
       cur.enterprises,
       prev.enterprises AS enterprises_prev_year,
       cur.output_value,
       cur.added_value,
       prev.output_value AS output_value_prev_year,
       prev.added_value AS added_value_prev_year,
       CASE WHEN prev.output_value > 0 THEN cur.output_value / prev.output_value - 1 END AS output_yoy,
       CASE WHEN prev.added_value > 0 THEN cur.added_value / prev.added_value - 1 END AS added_value_yoy
FROM monthly cur
LEFT JOIN monthly prev
    ON prev.key_industry = cur.key_industry
   AND prev.period = cur.period - INTERVAL '1 year'
WHERE cur.period >= $from
  AND cur.period <= $to
ORDER BY cur.key_industry = 'all', cur.key_industry, cur.period
