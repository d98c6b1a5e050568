/**
 * What a change of a profile's items means for its members, inside the transaction that changes
 * the items: an added item becomes a grant task for each member lacking it (a held one just gains
 * the profile as a source); a removed item gets the profile's unenrollment action for each member.
 * Members are handled MEMBER_BATCH per statement.
 */
import type { Viewer } from '../auth/viewer.js';
import { batchesOf } from '../batches.js';
import type { Tx } from '../db/database.js';
import type { UnenrollmentAction } from '../directory/records.js';
import { Outcome } from './engine.js';
import type { TaskRequest } from './records.js';
import type { TaskService } from './tasks.js';

/** Members handled per statement when a profile's items change. */
export const MEMBER_BATCH = 1000;

/** One item task request per (user, entitlement) row of a profile's members. */
export function itemRequests(
  kind: TaskRequest['kind'],
  origin: TaskRequest['origin'],
  rows: readonly { userId: string; entitlementId: string }[],
  profileId: string,
  actor: Viewer | null,
  reason: string | null = null,
): TaskRequest[] {
  return rows.map((r) => ({ kind, origin, userId: r.userId, entitlementId: r.entitlementId, profileId, requestedById: actor?.userId ?? null, ...(reason ? { reason } : {}) }));
}

async function membersOf(tx: Tx, profileId: string): Promise<{ action: UnenrollmentAction; userIds: string[] }> {
  const row = await tx.one<{ action: UnenrollmentAction; userIds: string[] }>('workflow/members-of-profile', { profileId });
  return row ?? { action: 'REVOKE_UNJUSTIFIED', userIds: [] };
}

/** Items added to a profile: grant tasks for its current members. */
export async function itemsAddedIn(tx: Tx, tasks: TaskService, profileId: string, entitlementIds: string[], actor: Viewer | null): Promise<void> {
  if (entitlementIds.length === 0) return;
  const members = await membersOf(tx, profileId);
  const outcome = new Outcome();
  for (const batch of batchesOf(members.userIds, MEMBER_BATCH)) {
    const rows = batch.map((userId) => ({ parentId: null, userId, profileId }));
    const missing = await tasks.engine.itemsToGrant(tx, rows, entitlementIds);
    await tasks.engine.createIn(tx, itemRequests('GRANT', 'PROFILE_ITEM_ADDED', missing, profileId, actor), outcome);
  }
  tasks.recordIn(tx, outcome);
}

/** Items removed from a profile: the profile's unenrollment action, for those items, for its members. */
export async function itemsRemovedIn(tx: Tx, tasks: TaskService, profileId: string, entitlementIds: string[], actor: Viewer | null): Promise<void> {
  if (entitlementIds.length === 0) return;
  const members = await membersOf(tx, profileId);
  const outcome = new Outcome();
  for (const batch of batchesOf(members.userIds, MEMBER_BATCH)) {
    const rows = batch.map((userId) => ({ parentId: null, userId, profileId, action: members.action }));
    await tasks.engine.cancelOpenItemTasks(tx, rows, entitlementIds, 'The item was removed from the profile', outcome);
    const toRevoke = await tasks.engine.itemsToRevoke(tx, rows, entitlementIds);
    await tasks.engine.createIn(tx, itemRequests('REVOKE', 'PROFILE_ITEM_REMOVED', toRevoke, profileId, actor), outcome);
  }
  tasks.recordIn(tx, outcome);
}
