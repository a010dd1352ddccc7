-- Projects whose subsidy exceeds the cap share (20% by default) of their investment.
SELECT project_id,
       name,
       uscc,
       level,
       subsidy_type,
       status,
       investment,
       subsidy_granted,
       CASE WHEN investment > 0 THEN subsidy_granted / investment END AS subsidy_share,
       $cap_share AS cap_share,
       subsidy_granted - investment * $cap_share AS excess
FROM transformation_projects
WHERE subsidy_granted > investment * $cap_share
ORDER BY excess DESC, project_id
