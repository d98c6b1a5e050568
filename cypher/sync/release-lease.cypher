// Takes $profileId, $holder. Releases the profile's sync lease if $holder holds it; returns released.
OPTIONAL MATCH (l:SyncLease {profileId: $profileId})
WHERE l.holder = $holder
DELETE l
RETURN l IS NOT NULL AS released
