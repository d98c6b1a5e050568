// Takes $skip, $limit, $minShared; returns the total and one page of profile pairs sharing at
// least $minShared items, most similar first: {profileId, otherProfileId, shared, itemCount,
// otherItemCount, similarity (Jaccard: shared / items in either)}.
MATCH (p:AccessProfile)-[:INCLUDES]->(e:Entitlement)<-[:INCLUDES]-(q:AccessProfile)
WHERE p.id < q.id
WITH p, q, count(e) AS shared
WHERE shared >= $minShared
WITH p, q, shared, COUNT { (p)-[:INCLUDES]->(:Entitlement) } AS itemCount, COUNT { (q)-[:INCLUDES]->(:Entitlement) } AS otherItemCount
WITH p, q, shared, itemCount, otherItemCount, toFloat(shared) / (itemCount + otherItemCount - shared) AS similarity
ORDER BY similarity DESC, shared DESC, p.id, q.id
WITH collect({profileId: p.id, otherProfileId: q.id, shared: shared, itemCount: itemCount, otherItemCount: otherItemCount, similarity: similarity}) AS rows
RETURN size(rows) AS total, rows[$skip..$skip + $limit] AS rows
