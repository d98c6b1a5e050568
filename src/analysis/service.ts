/**
 * The analysts' access graph: why a user holds an entitlement, who holds it, what a proposed
 * automation would do, what a removal would break, and hygiene reports. Read-only: every answer
 * comes from `db.read` in a bounded number of named statements, and writes nothing.
 */
import type { Database, Tx } from '../db/database.js';
import type { SafeguardSettings, SettingsService } from '../settings/service.js';
import { badInput, notFound } from '../errors.js';
import type { AutomationMode, UnenrollmentAction } from '../directory/records.js';
import { safeguardVerdict } from '../sync/safeguard.js';

/** Rows listed in one answer (what-if task lists, blast radius losses); counts stay exact past it. */
export const MAX_LISTED_ROWS = 10_000;

export interface AccessPath {
  profileId: string;
  /** The grant lists this profile as a source (FROM_PROFILE). */
  recordedSource: boolean;
  includesEntitlement: boolean;
  member: boolean;
  enrolledVia: 'RULE' | 'MANUAL' | 'SELF_SERVICE' | null;
  enrolledAt: string | null;
  enrollmentTaskId: string | null;
  /** The condition entitlements of the profile the user holds (why the rule matches them). */
  heldConditionIds: string[];
  excluded: boolean;
  /** The user is a member and the profile includes the entitlement: this path holds it now. */
  justifies: boolean;
}

export interface AccessExplanation {
  userId: string;
  entitlementId: string;
  entitlementKind: string;
  held: boolean;
  grantId: string | null;
  grantedAt: string | null;
  grantedByTaskId: string | null;
  direct: boolean;
  enrolledVia: string | null;
  paths: AccessPath[];
  /** Held, not direct, and no profile path justifies it (standard entitlements only). */
  unjustified: boolean;
}

export type SourceType = 'DIRECT' | 'PROFILE';

export interface HolderRow {
  grantId: string;
  userId: string;
  grantedAt: string;
  direct: boolean;
  sourceProfileIds: string[];
  justifyingProfileIds: string[];
  unjustified: boolean;
}

export interface Page<T> {
  rows: T[];
  total: number;
}

export interface AutomationProposal {
  conditionIds?: string[] | null;
  excludedIds?: string[] | null;
  itemIds?: string[] | null;
  unenrollmentAction?: UnenrollmentAction | null;
  mode?: AutomationMode | null;
  pauseOnAnomalies?: boolean | null;
}

export type TaskOriginName = 'SYNC' | 'PROFILE_ENROLLMENT' | 'PROFILE_UNENROLLMENT' | 'PROFILE_ITEM_ADDED' | 'PROFILE_ITEM_REMOVED';

export interface ProposedTask {
  kind: 'GRANT' | 'REVOKE';
  origin: TaskOriginName;
  userId: string;
  entitlementId: string;
}

export interface WhatIfResult {
  profileId: string;
  enrollmentEntitlementId: string;
  mode: AutomationMode;
  unenrollmentAction: UnenrollmentAction;
  memberCount: number;
  toEnroll: string[];
  toUnenroll: string[];
  cancelledEnrollments: number;
  cancelledUnenrollments: number;
  wouldPause: boolean;
  pauseReason: string | null;
  safeguard: SafeguardSettings;
  grantTaskCount: number;
  revokeTaskCount: number;
  /** Grants the unenrollment action leaves in place (direct, or held through another profile). */
  keptGrantCount: number;
  /** Up to MAX_LISTED_ROWS: enrollment cascades first, then items added. */
  grantTasks: ProposedTask[];
  /** Up to MAX_LISTED_ROWS: unenrollment cascades first, then items removed. */
  revokeTasks: ProposedTask[];
}

export type BlastChangeKind = 'REMOVE_ITEM' | 'REMOVE_CONDITION' | 'DISABLE_PROFILE';

export interface AccessLoss {
  userId: string;
  entitlementId: string;
  profileId: string;
  kind: 'MEMBERSHIP' | 'ACCESS';
}

export interface BlastRadiusResult {
  change: BlastChangeKind;
  profileId: string;
  entitlementId: string | null;
  membershipLossCount: number;
  accessLossCount: number;
  keptGrantCount: number;
  affectedUserCount: number;
  wouldPause: boolean;
  /** Up to MAX_LISTED_ROWS: memberships lost first, then access. */
  losses: AccessLoss[];
}

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

export interface DriftedMemberRow {
  key: string;
  profileId: string;
  userId: string;
  excluded: boolean;
  automationEnabled: boolean;
  pendingUnenrollmentTaskId: string | null;
}
export interface RedundantExclusionRow {
  key: string;
  profileId: string;
  userId: string;
  member: boolean;
}
export interface EmptyProfileRow {
  profileId: string;
  itemCount: number;
  pendingEnrollments: number;
}
export interface ProfileOverlapRow {
  profileId: string;
  otherProfileId: string;
  shared: number;
  itemCount: number;
  otherItemCount: number;
  similarity: number;
}
export interface UnjustifiedGrantRow {
  grantId: string;
  userId: string;
  entitlementId: string;
  grantedAt: string;
  staleProfileIds: string[];
}

export class AnalysisService {
  constructor(
    private readonly db: Database,
    private readonly settings: SettingsService,
  ) {}

  // ---- why ----------------------------------------------------------------------------------

  async explainAccess(userId: string, entitlementId: string): Promise<AccessExplanation> {
    const row = await this.db.read((tx) =>
      tx.one<{
        entitlementKind: string;
        grant: { id: string; grantedAt: string; direct: boolean; enrolledVia: string | null; grantedByTaskId: string | null } | null;
        paths: Omit<AccessPath, 'justifies'>[];
      }>('analysis/explain-access', { userId, entitlementId }),
    );
    if (!row) throw notFound('No such user or entitlement');
    const paths = row.paths.map((p) => ({ ...p, justifies: p.member && p.includesEntitlement }));
    const held = row.grant !== null;
    const direct = row.grant?.direct ?? false;
    return {
      userId,
      entitlementId,
      entitlementKind: row.entitlementKind,
      held,
      grantId: row.grant?.id ?? null,
      grantedAt: row.grant?.grantedAt ?? null,
      grantedByTaskId: row.grant?.grantedByTaskId ?? null,
      direct,
      enrolledVia: row.grant?.enrolledVia ?? null,
      paths,
      unjustified: held && row.entitlementKind === 'STANDARD' && !direct && !paths.some((p) => p.justifies),
    };
  }

  // ---- who ----------------------------------------------------------------------------------

  async holders(entitlementId: string, filter: { sourceType: SourceType | null; profileId: string | null }, after: string | null, limit: number): Promise<Page<HolderRow>> {
    return this.db.read(async (tx) => {
      const params = { entitlementId, sourceType: filter.sourceType, profileId: filter.profileId };
      const rows = await tx.run<Omit<HolderRow, 'unjustified'>>('analysis/list-holders', { ...params, after, limit });
      const total = (await tx.one<{ total: number }>('analysis/count-holders', params))?.total ?? 0;
      return { rows: rows.map((r) => ({ ...r, unjustified: !r.direct && r.justifyingProfileIds.length === 0 })), total };
    });
  }

  // ---- what-if ------------------------------------------------------------------------------

  private async profileSettings(tx: Tx, profileId: string): Promise<ProfileSettingsRow> {
    const row = await tx.one<ProfileSettingsRow>('analysis/profile-settings', { profileId });
    if (!row) throw notFound('No such access profile');
    return row;
  }

  private async revocations(tx: Tx, profileId: string, userIds: string[], entitlementIds: string[] | null, action: UnenrollmentAction, leavingProfileIds: string[] = []): Promise<RevocationRow> {
    // LEAVE_AS_IS revokes nothing, but the query still counts the grants that stay.
    if (userIds.length === 0 || (entitlementIds !== null && entitlementIds.length === 0)) return { revokeCount: 0, keepCount: 0, revokedUserCount: 0, rows: [] };
    return (await tx.one<RevocationRow>('analysis/unenrollment-revocations', { profileId, userIds, entitlementIds, action, leavingProfileIds, limit: MAX_LISTED_ROWS }))!;
  }

  private async itemGrants(tx: Tx, userIds: string[], itemIds: string[]): Promise<Page<{ userId: string; entitlementId: string }>> {
    if (userIds.length === 0 || itemIds.length === 0) return { rows: [], total: 0 };
    return (await tx.one<Page<{ userId: string; entitlementId: string }>>('analysis/item-grants-for-users', { userIds, itemIds, limit: MAX_LISTED_ROWS }))!;
  }

  /** What a sync with this automation (and these items) would do now, by the sync's rules; saves nothing. */
  async whatIf(profileId: string, proposal: AutomationProposal): Promise<WhatIfResult> {
    return this.db.read(async (tx) => {
      const saved = await this.profileSettings(tx, profileId);
      const conditionIds = unique(proposal.conditionIds ?? saved.conditionIds);
      const excludedIds = unique(proposal.excludedIds ?? saved.excludedIds);
      const itemIds = unique(proposal.itemIds ?? saved.itemIds);
      const mode = proposal.mode ?? saved.mode;
      const action = proposal.unenrollmentAction ?? saved.unenrollmentAction;
      const pauseOnAnomalies = proposal.pauseOnAnomalies ?? saved.pauseOnAnomalies;
      if (itemIds.includes(saved.enrollmentEntitlementId)) throw badInput('A profile cannot include its own enrollment entitlement');
      const missing = await tx.one<{ users: string[]; entitlements: string[] }>('profiles/missing-ids', {
        userIds: excludedIds,
        entitlementIds: unique([...conditionIds, ...itemIds]),
        policyIds: [],
      });
      const problems = [...(missing?.users ?? []).map((id) => `unknown user ${id}`), ...(missing?.entitlements ?? []).map((id) => `unknown entitlement ${id}`)];
      if (problems.length > 0) throw badInput(problems.join('; '));

      const safeguard = await this.settings.safeguard(tx);
      const diff = (await tx.one<DiffRow>('analysis/diff-membership', { profileId, conditionIds, excludedIds }))!;
      const pauseReason = safeguardVerdict(diff.memberCount, diff.toUnenroll.length, pauseOnAnomalies, safeguard);
      const access = mode === 'SYNC_MEMBERS_AND_ACCESS';

      // Items added or removed apply to members who stay; the enrollment cascade to those who join.
      const leaving = new Set(diff.toUnenroll);
      const staying = diff.memberIds.filter((id) => !leaving.has(id));
      const savedItems = new Set(saved.itemIds);
      const addedItems = itemIds.filter((id) => !savedItems.has(id));
      const removedItems = saved.itemIds.filter((id) => !itemIds.includes(id));

      const enrollGrants = access ? await this.itemGrants(tx, diff.toEnroll, itemIds) : { rows: [], total: 0 };
      const addedGrants = await this.itemGrants(tx, staying, addedItems);
      const unenrollRevokes = access ? await this.revocations(tx, profileId, diff.toUnenroll, null, action) : { revokeCount: 0, keepCount: 0, revokedUserCount: 0, rows: [] };
      const removedRevokes = await this.revocations(tx, profileId, staying, removedItems, action);

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
        grantTasks,
        revokeTasks,
      };
    });
  }

  // ---- blast radius -------------------------------------------------------------------------

  async blastRadius(change: BlastChangeKind, profileId: string, entitlementId: string | null): Promise<BlastRadiusResult> {
    if (change !== 'DISABLE_PROFILE' && entitlementId === null) throw badInput(`${change} needs an entitlementId`);
    return this.db.read(async (tx) => {
      const saved = await this.profileSettings(tx, profileId);
      let unenrolled: string[] = [];
      let revoked: RevocationRow = { revokeCount: 0, keepCount: 0, revokedUserCount: 0, rows: [] };
      let wouldPause = false;
      if (change === 'REMOVE_ITEM') {
        if (!saved.itemIds.includes(entitlementId!)) throw badInput('The profile does not include this entitlement');
        const members = (await tx.one<{ memberIds: string[] }>('analysis/member-ids', { profileId }))!.memberIds;
        revoked = await this.revocations(tx, profileId, members, [entitlementId!], saved.unenrollmentAction);
      } else if (change === 'REMOVE_CONDITION') {
        if (!saved.conditionIds.includes(entitlementId!)) throw badInput("The entitlement is not in the profile's condition");
        const params = { profileId, excludedIds: saved.excludedIds };
        const before = (await tx.one<DiffRow>('analysis/diff-membership', { ...params, conditionIds: saved.conditionIds }))!;
        const after = (await tx.one<DiffRow>('analysis/diff-membership', { ...params, conditionIds: saved.conditionIds.filter((id) => id !== entitlementId) }))!;
        // The change's own effect: members the rule would drop now that it did not drop before.
        const already = new Set(before.toUnenroll);
        unenrolled = after.toUnenroll.filter((id) => !already.has(id));
        const safeguard = await this.settings.safeguard(tx);
        wouldPause = safeguardVerdict(after.memberCount, after.toUnenroll.length, saved.pauseOnAnomalies, safeguard) !== null;
        if (saved.mode === 'SYNC_MEMBERS_AND_ACCESS') revoked = await this.revocations(tx, profileId, unenrolled, null, saved.unenrollmentAction);
      } else {
        unenrolled = (await tx.one<{ memberIds: string[] }>('analysis/member-ids', { profileId }))!.memberIds;
        revoked = await this.revocations(tx, profileId, unenrolled, null, saved.unenrollmentAction);
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

  // ---- hygiene reports ----------------------------------------------------------------------

  async unjustifiedGrants(after: string | null, limit: number, withTotal = true): Promise<Page<UnjustifiedGrantRow>> {
    return this.db.read(async (tx) => {
      const rows = await tx.run<UnjustifiedGrantRow>('analysis/list-unjustified-grants', { after, limit });
      const total = withTotal ? ((await tx.one<{ total: number }>('analysis/count-unjustified-grants'))?.total ?? 0) : -1;
      return { rows, total };
    });
  }

  private async keyedReport<T>(statement: string, params: Record<string, unknown>): Promise<Page<T>> {
    return this.db.read(async (tx) => (await tx.one<Page<T>>(statement, params)) ?? { rows: [], total: 0 });
  }

  driftedMembers(after: string | null, limit: number): Promise<Page<DriftedMemberRow>> {
    return this.keyedReport('analysis/list-drifted-members', { after, limit });
  }

  redundantExclusions(after: string | null, limit: number): Promise<Page<RedundantExclusionRow>> {
    return this.keyedReport('analysis/list-redundant-exclusions', { after, limit });
  }

  emptyProfiles(after: string | null, limit: number): Promise<Page<EmptyProfileRow>> {
    return this.keyedReport('analysis/list-empty-profiles', { after, limit });
  }

  overlappingProfiles(skip: number, limit: number, minShared: number): Promise<Page<ProfileOverlapRow>> {
    if (!Number.isInteger(minShared) || minShared < 1) throw badInput('minShared must be a whole number >= 1');
    return this.keyedReport('analysis/list-overlapping-profiles', { skip, limit, minShared });
  }
}
