/**
 * The "needs sync" mark: every write that changes what a profile's sync depends on (who holds its
 * condition entitlements, its exclusions, automation or items) marks the profile in its own
 * transaction, in the statement that finishes the write (src/finish-write.ts). A run clears the
 * mark when it starts; the end of a run that finds the mark set again starts a further pass, and
 * the scheduler syncs marked profiles (others only for their periodic full reconciliation).
 */
import type { UnitOfWork } from '../db/unit-of-work.js';

/** What a write marks, as cypher/db/finish-write.cypher takes it; null when it marks nothing. */
export function marksOf(unit: UnitOfWork): { conditionsChanged: string[]; profilesToSync: string[] } | null {
  if (unit.changedEntitlementIds.size === 0 && unit.profilesToSync.size === 0) return null;
  return { conditionsChanged: [...unit.changedEntitlementIds], profilesToSync: [...unit.profilesToSync] };
}
