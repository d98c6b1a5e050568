// Takes $minMembers, $maxUnenrollRatio, $now; stores the safeguard thresholds.
MERGE (s:Settings {id: 'global'})
SET s.safeguardMinMembers = $minMembers, s.safeguardMaxUnenrollRatio = $maxUnenrollRatio, s.updatedAt = $now
RETURN s {.safeguardMinMembers, .safeguardMaxUnenrollRatio} AS settings
