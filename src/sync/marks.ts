/**
 * The "needs sync" mark: every write that changes what a profile's sync depends on (who holds its
 * condition entitlements, its exclusions, automation or items) marks the profile in its own
 * transaction (a Database finisher). A run clears the mark when it starts; the end of a run that
 * finds the mark set again starts a further pass, and the scheduler syncs marked profiles (others
 * only for their periodic full reconciliation).
 */
import type { Tx } from '../db/database.js';
import type { UnitOfWork } from '../db/unit-of-work.js';

export async function markProfilesToSync(tx: Tx, unit: UnitOfWork): Promise<void> {
  if (unit.changedEntitlementIds.size === 0 && unit.profilesToSync.size === 0) return;
  await tx.run('sync/mark-profiles-to-sync', { entitlementIds: [...unit.changedEntitlementIds], profileIds: [...unit.profilesToSync] });
}
