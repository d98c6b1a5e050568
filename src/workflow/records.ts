export type TaskKind = 'GRANT' | 'REVOKE';
export type TaskState = 'PENDING_APPROVAL' | 'PENDING_PROVISIONING' | 'DONE' | 'DENIED' | 'CANCELLED' | 'FAILED';
export type TaskOrigin =
  | 'SYNC'
  | 'MANUAL_ENROLLMENT'
  | 'SELF_SERVICE'
  | 'PROFILE_ENROLLMENT'
  | 'PROFILE_UNENROLLMENT'
  | 'PROFILE_ITEM_ADDED'
  | 'PROFILE_ITEM_REMOVED'
  /** An admin asked for the items a member lacks (requestMissingAccess). */
  | 'PROFILE_MISSING_ACCESS'
  | 'EXCLUSION'
  | 'ADMIN';
/** How an enrollment came about; recorded on the enrollment grant (the rule only removes RULE members). */
export type EnrollVia = 'RULE' | 'MANUAL' | 'SELF_SERVICE';

export const OPEN_STATES: TaskState[] = ['PENDING_APPROVAL', 'PENDING_PROVISIONING'];

export interface TaskRecord {
  id: string;
  kind: TaskKind;
  state: TaskState;
  origin: TaskOrigin;
  reason: string | null;
  currentStep: number | null;
  createdAt: string;
  updatedAt: string;
  enrollVia: EnrollVia | null;
  userId: string;
  entitlementId: string;
  profileId: string | null;
  parentId: string | null;
  requestedById: string | null;
  closeReason: string | null;
  /** Who closed it by hand (provisioned, failed or cancelled it); null for the system. */
  closedById: string | null;
  /** Who may decide it now (the current step's approvers); empty unless PENDING_APPROVAL. */
  approverIds: string[];
  /** Who recorded a decision on it (they keep seeing it). */
  deciderIds: string[];
  /** The current step's approvers resolved to nobody: the admins decide it. */
  awaitingAdmins: boolean;
  /** The app is provisioned by hand: its owners (provisionerIds) complete or fail the task. */
  manualProvisioning: boolean;
  provisionerIds: string[];
}

/** One change to ask for. */
export interface TaskRequest {
  kind: TaskKind;
  origin: TaskOrigin;
  userId: string;
  entitlementId: string;
  profileId?: string | null;
  parentId?: string | null;
  requestedById?: string | null;
  reason?: string | null;
  enrollVia?: EnrollVia | null;
  syncRunId?: string | null;
}
