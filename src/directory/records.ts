/** Rows as the repositories return them: raw ids, plain values. */
import type { Role } from '../auth/viewer.js';

export interface UserRecord {
  id: string;
  externalId: string;
  email: string;
  displayName: string;
  status: 'ACTIVE' | 'DISABLED';
  role: Role;
  managerId: string | null;
  createdAt: string;
}
export interface AppRecord {
  id: string;
  externalId: string;
  name: string;
  provisioning: 'AUTOMATIC' | 'MANUAL';
  ownerIds: string[];
}
export type EntitlementKind = 'STANDARD' | 'PROFILE_ENROLLMENT' | 'PROFILE_EXCLUSION';
export interface EntitlementRecord {
  id: string;
  externalId: string | null;
  name: string;
  kind: EntitlementKind;
  appId: string | null;
  profileId: string | null;
  requestPolicyId: string | null;
  revokePolicyId: string | null;
}
export interface GrantRecord {
  id: string;
  userId: string;
  entitlementId: string;
  grantedAt: string;
  direct: boolean;
  /** On an enrollment grant: RULE, MANUAL or SELF_SERVICE. */
  enrolledVia: string | null;
  sourceProfileIds: string[];
}
export type ApproverType = 'MANAGER' | 'APP_OWNERS' | 'USERS';
export interface PolicyStep {
  approverType: ApproverType;
  userIds: string[];
}
export interface PolicyRecord {
  id: string;
  name: string;
  steps: PolicyStep[];
}
export type UnenrollmentAction = 'LEAVE_AS_IS' | 'REVOKE_ALL' | 'REVOKE_UNJUSTIFIED';
export type AutomationMode = 'SYNC_MEMBERS_ONLY' | 'SYNC_MEMBERS_AND_ACCESS';
export interface ProfileRecord {
  id: string;
  name: string;
  description: string | null;
  allowEnrollmentRequests: boolean;
  bypassItemRequestPolicies: boolean;
  bypassItemRevokePolicies: boolean;
  unenrollmentAction: UnenrollmentAction;
  automationEnabled: boolean;
  automationMode: AutomationMode;
  pauseOnAnomalies: boolean;
  enrollmentEntitlementId: string;
  exclusionEntitlementId: string;
  enrollmentPolicyId: string | null;
  unenrollmentPolicyId: string | null;
}

/** One page of a nested list: the ids on it and how many there are in all. */
export interface IdPage {
  ids: string[];
  total: number;
}
