// Takes $after (a seq), $upTo (the head seq), $limit; returns up to $limit audit entries with
// seq > $after and <= $upTo, oldest first, with every stored field (the verifier rehashes them).
MATCH (e:AuditEntry)
WHERE e.seq > $after AND e.seq <= $upTo
RETURN e {.seq, .at, .actorUserId, .actorTokenId, .actorKind, .action, .subjectType, .subjectId,
          .before, .after, .hash, .prevHash} AS entry
ORDER BY e.seq
LIMIT $limit
