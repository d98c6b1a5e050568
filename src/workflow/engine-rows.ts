/** The rows the workflow engine reads and writes (src/workflow/engine.ts). */
import type { PolicyStep, UnenrollmentAction } from '../directory/records.js';
import type { TaskKind, TaskOrigin } from './records.js';

export interface TaskRef {
  id: string;
  userId: string;
  profileId: string | null;
}

export interface CompletedTask extends TaskRef {
  kind: TaskKind;
  entitlementId: string;
  entitlementKind: string;
  origin: TaskOrigin;
  /** Set when the entitlement is a profile's enrollment entitlement: the profile. */
  ownProfileId: string | null;
  automationMode: string | null;
  unenrollmentAction: UnenrollmentAction | null;
  changed: boolean;
}

/** A task created now, as its request made it. */
export interface NewTask extends TaskRef {
  kind: TaskKind;
  origin: TaskOrigin;
  entitlementId: string;
  steps: string | null;
  /** Created approved (no steps, provisioned by the system): it completes without approve-tasks. */
  approved: boolean;
  /** The policy's first step (null: no steps): create-tasks enters it. */
  approverType: string | null;
  approverUserIds: string[];
}

/** A row of tasks/create-tasks: approvers of a task created at its first step. */
export interface CreatedRow {
  id: string;
  created: boolean;
  approverIds: string[] | null;
  awaitingAdmins: boolean | null;
}

/** The policy of a group of requests, and whether the system provisions its entitlement. */
export interface GroupPolicy {
  steps: string;
  policyId: string | null;
  automatic: boolean;
  /** The steps, parsed once per group. */
  parsed: PolicyStep[];
}

export interface CascadeRow {
  parentId: string | null;
  userId: string;
  profileId: string;
  entitlementId: string;
}
