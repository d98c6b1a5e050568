// Takes $rows [{id, externalId, email, displayName, status, managerExternalId}], $now.
// Creates or updates users by externalId; returns how many rows were created, updated, unchanged
// (judged before the write, manager included), and per outcome the externalIds whose manager
// differs from the row's (managerChanged): set-user-managers links those, and only those.
UNWIND $rows AS row
OPTIONAL MATCH (existing:User {externalId: row.externalId})
OPTIONAL MATCH (existing)-[:REPORTS_TO]->(manager:User)
WITH row, existing, coalesce(manager.externalId, '') <> coalesce(row.managerExternalId, '') AS managerChanged
WITH row, existing, managerChanged,
     CASE
       WHEN existing IS NULL THEN 'created'
       WHEN existing.email = row.email AND existing.displayName = row.displayName AND existing.status = row.status
            AND NOT managerChanged THEN 'unchanged'
       ELSE 'updated'
     END AS outcome
MERGE (u:User {externalId: row.externalId})
  ON CREATE SET u.id = row.id, u.role = 'USER', u.createdAt = $now
FOREACH (_ IN CASE WHEN outcome = 'unchanged' THEN [] ELSE [1] END |
  SET u.email = row.email, u.displayName = row.displayName, u.status = row.status, u.updatedAt = $now)
RETURN outcome, count(*) AS rows, collect(CASE WHEN managerChanged THEN row.externalId END) AS managerChanged
