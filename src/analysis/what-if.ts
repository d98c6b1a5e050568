/**
 * What a change would do, without making it: `whatIf` runs a proposed automation (and item list)
 * through the sync's rules, `blastRadius` counts who loses what if an item or condition were
 * removed or the profile retired. Both read a profile's saved settings, its membership diff and
 * the revocations its unenrollment action would make; neither writes.
 */
import type { Database, Tx } from '../db/database.js';
import type { AutomationMode, UnenrollmentAction } from '../directory/records.js';
import { badInput } from '../errors.js';
import { noSuch } from '../ids.js';
import type { SettingsService } from '../settings/service.js';
import { mergeAutomation } from '../profiles/automation.js';
import { safeguardVerdict } from '../sync/safeguard.js';
import type { AccessLoss, AutomationProposal, BlastChangeKind, BlastRadiusResult, MissingAccessPage, Page, ProposedTask, WhatIfResult } from './records.js';

/** Rows listed in one answer (what-if task lists, blast radius losses); counts stay exact past it. */
export const MAX_LISTED_ROWS = 10_000;

interface ProfileSettingsRow {
  profileId: string;
  enrollmentEntitlementId: string;
  automationEnabled: boolean;
  mode: AutomationMode;
  pauseOnAnomalies: boolean;
  unenrollmentAction: UnenrollmentAction;
  conditionIds: string[];
  excludedIds: string[];
  itemIds: string[];
}

interface DiffRow {
  memberCount: number;
  memberIds: string[];
  toEnroll: string[];
  toUnenroll: string[];
  cancelEnrollments: number;
  cancelUnenrollments: number;
}

interface RevocationRow {
  revokeCount: number;
  keepCount: number;
  revokedUserCount: number;
  rows: { userId: string; entitlementId: string }[];
}

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

// ---- the reads both make ------------------------------------------------------------------------

async function profileSettings(tx: Tx, profileId: string): Promise<ProfileSettingsRow> {
  const row = await tx.one<ProfileSettingsRow>('analysis/profile-settings', { profileId });
  if (!row) throw noSuch('AccessProfile', profileId);
  return row;
}

async function revocations(tx: Tx, profileId: string, userIds: string[], entitlementIds: string[] | null, action: UnenrollmentAction, leavingProfileIds: string[] = []): Promise<RevocationRow> {
  // LEAVE_AS_IS revokes nothing, but the query still counts the grants that stay.
  if (userIds.length === 0 || (entitlementIds !== null && entitlementIds.length === 0)) return { revokeCount: 0, keepCount: 0, revokedUserCount: 0, rows: [] };
  return (await tx.one<RevocationRow>('analysis/unenrollment-revocations', { profileId, userIds, entitlementIds, action, leavingProfileIds, limit: MAX_LISTED_ROWS }))!;
}

async function itemGrants(tx: Tx, userIds: string[], itemIds: string[]): Promise<Page<{ userId: string; entitlementId: string }>> {
  if (userIds.length === 0 || itemIds.length === 0) return { rows: [], total: 0 };
  return (await tx.one<Page<{ userId: string; entitlementId: string }>>('analysis/item-grants-for-users', { userIds, itemIds, limit: MAX_LISTED_ROWS }))!;
}

/**
 * Members of the profile (among userIds; null = all) lacking some of its items (among
 * entitlementIds; null = all) with no open grant task for them, with one page of them by user id.
 */
export async function missingAccessIn(
  tx: Tx,
  profileId: string,
  filter: { userIds: string[] | null; entitlementIds: string[] | null },
  after: string | null,
  limit: number,
): Promise<MissingAccessPage> {
  const row = await tx.one<MissingAccessPage>('analysis/missing-access-of-profile', { profileId, ...filter, after, limit });
  if (!row) throw noSuch('AccessProfile', profileId);
  return row;
}

// ---- what-if ------------------------------------------------------------------------------------

/** What a sync with this automation (and these items) would do now, by the sync's rules; saves nothing. */
export async function whatIf(db: Database, settings: SettingsService, profileId: string, proposal: AutomationProposal): Promise<WhatIfResult> {
  return db.read('analysis.whatIf', async (tx) => {
    const saved = await profileSettings(tx, profileId);
    // The automation as saving this proposal would leave it (the save merges the same way).
    const automation = mergeAutomation(
      { enabled: true, mode: saved.mode, pauseOnAnomalies: saved.pauseOnAnomalies, conditionEntitlementIds: saved.conditionIds, excludedUserIds: saved.excludedIds },
      { mode: proposal.mode, pauseOnAnomalies: proposal.pauseOnAnomalies, conditionEntitlementIds: proposal.conditionIds, excludedUserIds: proposal.excludedIds },
    );
    const { mode, pauseOnAnomalies, conditionEntitlementIds: conditionIds, excludedUserIds: excludedIds } = automation;
    const itemIds = unique(proposal.itemIds ?? saved.itemIds);
    const action = proposal.unenrollmentAction ?? saved.unenrollmentAction;
    if (itemIds.includes(saved.enrollmentEntitlementId)) throw badInput('A profile cannot include its own enrollment entitlement');
    const missing = await tx.one<{ users: string[]; entitlements: string[] }>('profiles/missing-ids', {
      userIds: excludedIds,
      entitlementIds: unique([...conditionIds, ...itemIds]),
      policyIds: [],
    });
    const problems = [...(missing?.users ?? []).map((id) => `unknown user ${id}`), ...(missing?.entitlements ?? []).map((id) => `unknown entitlement ${id}`)];
    if (problems.length > 0) throw badInput(problems.join('; '));

    const safeguard = await settings.safeguard(tx);
    const diff = (await tx.one<DiffRow>('analysis/diff-membership', { profileId, conditionIds, excludedIds }))!;
    const pauseReason = safeguardVerdict(diff.memberCount, diff.toUnenroll.length, pauseOnAnomalies, safeguard);
    const access = mode === 'SYNC_MEMBERS_AND_ACCESS';

    // Items added or removed apply to members who stay; the enrollment cascade to those who join.
    const leaving = new Set(diff.toUnenroll);
    const staying = diff.memberIds.filter((id) => !leaving.has(id));
    const savedItems = new Set(saved.itemIds);
    const addedItems = itemIds.filter((id) => !savedItems.has(id));
    const removedItems = saved.itemIds.filter((id) => !itemIds.includes(id));

    const enrollGrants = access ? await itemGrants(tx, diff.toEnroll, itemIds) : { rows: [], total: 0 };
    const addedGrants = await itemGrants(tx, staying, addedItems);
    const unenrollRevokes = access ? await revocations(tx, profileId, diff.toUnenroll, null, action) : { revokeCount: 0, keepCount: 0, revokedUserCount: 0, rows: [] };
    const removedRevokes = await revocations(tx, profileId, staying, removedItems, action);
    // Switching the mode (or any save) asks nothing for current members who lack an item: say how many do.
    const keptItems = saved.itemIds.filter((id) => itemIds.includes(id));
    const lacking = keptItems.length === 0 ? 0 : (await missingAccessIn(tx, profileId, { userIds: null, entitlementIds: keptItems }, null, 0)).memberCount;

    const grantTasks: ProposedTask[] = [
      ...enrollGrants.rows.map((r) => ({ kind: 'GRANT' as const, origin: 'PROFILE_ENROLLMENT' as const, ...r })),
      ...addedGrants.rows.map((r) => ({ kind: 'GRANT' as const, origin: 'PROFILE_ITEM_ADDED' as const, ...r })),
    ].slice(0, MAX_LISTED_ROWS);
    const revokeTasks: ProposedTask[] = [
      ...unenrollRevokes.rows.map((r) => ({ kind: 'REVOKE' as const, origin: 'PROFILE_UNENROLLMENT' as const, ...r })),
      ...removedRevokes.rows.map((r) => ({ kind: 'REVOKE' as const, origin: 'PROFILE_ITEM_REMOVED' as const, ...r })),
    ].slice(0, MAX_LISTED_ROWS);
    return {
      profileId,
      enrollmentEntitlementId: saved.enrollmentEntitlementId,
      mode,
      unenrollmentAction: action,
      memberCount: diff.memberCount,
      toEnroll: diff.toEnroll,
      toUnenroll: diff.toUnenroll,
      cancelledEnrollments: diff.cancelEnrollments,
      cancelledUnenrollments: diff.cancelUnenrollments,
      wouldPause: pauseReason !== null,
      pauseReason,
      safeguard,
      grantTaskCount: enrollGrants.total + addedGrants.total,
      revokeTaskCount: unenrollRevokes.revokeCount + removedRevokes.revokeCount,
      keptGrantCount: unenrollRevokes.keepCount + removedRevokes.keepCount,
      membersLackingAccess: lacking,
      grantTasks,
      revokeTasks,
    };
  });
}

// ---- blast radius -------------------------------------------------------------------------------

export async function blastRadius(db: Database, settings: SettingsService, change: BlastChangeKind, profileId: string, entitlementId: string | null): Promise<BlastRadiusResult> {
  if (change !== 'DISABLE_PROFILE' && entitlementId === null) throw badInput(`${change} needs an entitlementId`);
  return db.read('analysis.blastRadius', async (tx) => {
    const saved = await profileSettings(tx, profileId);
    let unenrolled: string[] = [];
    let revoked: RevocationRow = { revokeCount: 0, keepCount: 0, revokedUserCount: 0, rows: [] };
    let wouldPause = false;
    if (change === 'REMOVE_ITEM') {
      if (!saved.itemIds.includes(entitlementId!)) throw badInput('The profile does not include this entitlement');
      const members = (await tx.one<{ memberIds: string[] }>('analysis/member-ids', { profileId }))!.memberIds;
      revoked = await revocations(tx, profileId, members, [entitlementId!], saved.unenrollmentAction);
    } else if (change === 'REMOVE_CONDITION') {
      if (!saved.conditionIds.includes(entitlementId!)) throw badInput("The entitlement is not in the profile's condition");
      const params = { profileId, excludedIds: saved.excludedIds };
      const before = (await tx.one<DiffRow>('analysis/diff-membership', { ...params, conditionIds: saved.conditionIds }))!;
      const after = (await tx.one<DiffRow>('analysis/diff-membership', { ...params, conditionIds: saved.conditionIds.filter((id) => id !== entitlementId) }))!;
      // The change's own effect: members the rule would drop now that it did not drop before.
      const already = new Set(before.toUnenroll);
      unenrolled = after.toUnenroll.filter((id) => !already.has(id));
      const safeguard = await settings.safeguard(tx);
      wouldPause = safeguardVerdict(after.memberCount, after.toUnenroll.length, saved.pauseOnAnomalies, safeguard) !== null;
      if (saved.mode === 'SYNC_MEMBERS_AND_ACCESS') revoked = await revocations(tx, profileId, unenrolled, null, saved.unenrollmentAction);
    } else {
      unenrolled = (await tx.one<{ memberIds: string[] }>('analysis/member-ids', { profileId }))!.memberIds;
      revoked = await revocations(tx, profileId, unenrolled, null, saved.unenrollmentAction);
    }
    const losses: AccessLoss[] = [
      ...unenrolled.slice(0, MAX_LISTED_ROWS).map((userId) => ({ userId, entitlementId: saved.enrollmentEntitlementId, profileId, kind: 'MEMBERSHIP' as const })),
      ...revoked.rows.map((r) => ({ ...r, profileId, kind: 'ACCESS' as const })),
    ].slice(0, MAX_LISTED_ROWS);
    return {
      change,
      profileId,
      entitlementId,
      membershipLossCount: unenrolled.length,
      accessLossCount: revoked.revokeCount,
      keptGrantCount: revoked.keepCount,
      // Every user whose grants are revoked here is also unenrolled, except for REMOVE_ITEM.
      affectedUserCount: change === 'REMOVE_ITEM' ? revoked.revokedUserCount : unenrolled.length,
      wouldPause,
      losses,
    };
  });
}
