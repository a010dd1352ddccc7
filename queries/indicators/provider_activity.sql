-- Service provider activity: transformation projects per provider and key industry of the
-- (lead) enterprise, with how many are completed.
SELECT p.provider_id,
       sp.name AS provider_name,
       e.key_industry,
       count(DISTINCT p.uscc) AS enterprises,
       count(*) AS projects,
       sum(CASE WHEN p.status = 'completed' THEN 1 ELSE 0 END) AS completed,
       sum(CASE WHEN p.status = 'in_progress' THEN 1 ELSE 0 END) AS in_progress,
       sum(CASE WHEN p.status = 'delayed' THEN 1 ELSE 0 END) AS delayed,
       sum(p.investment) AS investment
FROM transformation_projects p
LEFT JOIN enterprises e ON e.uscc = p.uscc
LEFT JOIN service_providers sp ON sp.provider_id = p.provider_id
WHERE p.provider_id IS NOT NULL
GROUP BY p.provider_id, sp.name, e.key_industry
ORDER BY p.provider_id, e.key_industry
