// Returns the deployment's stored settings, if any were saved.
MATCH (s:Settings {id: 'global'})
RETURN s {.safeguardMinMembers, .safeguardMaxUnenrollRatio, .defaultRequestPolicyId, .defaultRevokePolicyId} AS settings
