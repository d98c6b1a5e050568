/**
 * The analysts' answers as the service returns them: raw ids, plain values; no GraphQL in here
 * (src/schema/analysis*.ts exposes them, src/analysis/export.ts writes them as CSV).
 */
import type { AutomationMode, UnenrollmentAction } from '../directory/records.js';
import type { SafeguardSettings } from '../settings/service.js';

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
  /**
   * Current members lacking one of the items the profile keeps, with no open grant task for it:
   * neither the save nor a sync asks for them (requestMissingAccess does).
   */
  membersLackingAccess: number;
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

export interface DriftedMemberRow {
  key: string;
  profileId: string;
  userId: string;
  excluded: boolean;
  automationEnabled: boolean;
  /** A rule member who no longer matches the saved condition, or is excluded. */
  noLongerMatches: boolean;
  /** The profile's items the member lacks with no open grant task for them (sorted). */
  missingItemIds: string[];
  pendingUnenrollmentTaskId: string | null;
}

/** Members of one profile lacking some of its items with no open grant task for them (the drifted-members rule). */
export interface MissingAccessPage {
  /** How many members lack access. */
  memberCount: number;
  /** Member-item pairs missing: the grant tasks requestMissingAccess would create. */
  missingCount: number;
  /** The items missing, sorted. */
  itemIds: string[];
  /** One page, by user id. */
  rows: { userId: string; entitlementIds: string[] }[];
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
