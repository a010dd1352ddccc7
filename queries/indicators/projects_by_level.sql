-- Transformation projects by level (point / line / area), category and status.
SELECT level,
       category,
       status,
       count(DISTINCT uscc) AS enterprises,
       count(*) AS projects,
       sum(investment) AS investment,
       sum(subsidy_granted) AS subsidy_granted
FROM transformation_projects
GROUP BY level, category, status
ORDER BY CASE level WHEN 'point' THEN 1 WHEN 'line' THEN 2 WHEN 'area' THEN 3 ELSE 4 END,
         category NULLS LAST,
         CASE status
             WHEN 'planned' THEN 1
             WHEN 'in_progress' THEN 2
             WHEN 'delayed' THEN 3
             WHEN 'completed' THEN 4
             WHEN 'cancelled' THEN 5
             ELSE 6
         END
