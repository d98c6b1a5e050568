/**
 * The sync's work undone on a benchmark organisation (bench/profile-sync.ts, bench/sync-rounds.ts):
 * its tasks, runs, events, memberships and the item grants its cascades made, and the leases freed,
 * so that the next first sync does the same work again. `raw` runs one auto-commit statement.
 */
export async function undoSyncs(raw: (text: string) => Promise<unknown>): Promise<void> {
  await raw(`MATCH (t:Task) CALL { WITH t DETACH DELETE t } IN TRANSACTIONS OF 5000 ROWS`);
  await raw(`MATCH (r:SyncRun) CALL { WITH r DETACH DELETE r } IN TRANSACTIONS OF 5000 ROWS`);
  await raw(`MATCH (e:Event) CALL { WITH e DETACH DELETE e } IN TRANSACTIONS OF 5000 ROWS`);
  await raw(`MATCH (:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(:Entitlement)<-[:OF]-(g:Grant) CALL { WITH g DETACH DELETE g } IN TRANSACTIONS OF 5000 ROWS`);
  await raw(`MATCH (g:Grant) WHERE g.direct IS NULL CALL { WITH g DETACH DELETE g } IN TRANSACTIONS OF 5000 ROWS`);
  await raw(`MATCH ()-[f:FROM_PROFILE]->() DELETE f`);
  await raw(`MATCH (l:SyncLease) SET l.holder = null`);
}
