/**
 * Who may act on a task, in one place. The workflow enforces these, `Task.approvers` and
 * `Task.provisioners` show them, the inbox (`cypher/tasks/list-tasks.cypher`, tested against
 * these predicates over generated tasks) and `taskEvents(assignedToViewer)` filter by them, and
 * task visibility builds on them.
 *
 * "Assigned to" and "may act" differ on purpose, for admins only:
 * - a task is **assigned** to the approvers of its current step, or, when that step resolved to
 *   nobody (no manager, an app without owners), to every user with the ADMIN role; to provision,
 *   to the owners of its MANUAL app, or to the admins when the app has no owners. That is whom the
 *   task waits on: their inbox lists it and `approvers` / `provisioners` name them.
 * - an **admin** (ADMIN role with the `admin` scope) **may act** on any open task besides, to
 *   unblock one whose approver is away; such a task is not in the admin's inbox.
 * Nobody decides a task about their own access. A decision is recorded against a user, with one
 * exception so that every open step has someone who can act: **while no user holds the ADMIN
 * role**, the bootstrap admin credential (which is no user) stands in for the admins: the tasks
 * that went to the admins are assigned to it and it may decide them (the decision is recorded as
 * the bootstrap credential's). Once an ADMIN user exists, it provisions but does not decide.
 * `adminUsersExist` below says which of the two holds (callers read it with the admin-ids query).
 */
import { canReadUser, hasScope, isAdmin, type Viewer } from '../auth/viewer.js';
import type { TaskState } from './records.js';

/** What the rules look at: a task as read (TaskRecord) or as locked for a change. */
export interface TaskFacts {
  state: TaskState;
  /** The subject: whose access the task changes. */
  userId: string;
  /** The current step's approvers (empty unless PENDING_APPROVAL). */
  approverIds: readonly string[];
  /** The current step resolved to nobody: it went to the admins. */
  awaitingAdmins: boolean;
  /** The entitlement's app is provisioned by hand. */
  manualProvisioning: boolean;
  /** The owners of that app. */
  provisionerIds: readonly string[];
}

/** A task's people beyond its subject: who asked, who decided, who closed it. */
export interface TaskPeople {
  requestedById: string | null;
  closedById: string | null;
  deciderIds: readonly string[];
}

const hasAdminRole = (viewer: Viewer | null): boolean => viewer !== null && viewer.role === 'ADMIN';

/** The bootstrap admin credential, standing in for the admins while no user holds the ADMIN role. */
const standsInForAdmins = (viewer: Viewer | null, adminUsersExist: boolean): boolean => !adminUsersExist && isAdmin(viewer) && viewer!.userId === null;

/** Decides for the admins: an ADMIN user, or the bootstrap credential standing in for them. */
const decidesForAdmins = (viewer: Viewer | null, adminUsersExist: boolean): boolean =>
  (hasAdminRole(viewer) && viewer!.userId !== null) || standsInForAdmins(viewer, adminUsersExist);

/** The task waits on this viewer's decision (state aside): an approver of its step, or an admin when it went to the admins. */
export function isApproverOf(viewer: Viewer | null, task: TaskFacts, adminUsersExist = true): boolean {
  if (viewer === null || viewer.userId === task.userId) return false;
  return (viewer.userId !== null && task.approverIds.includes(viewer.userId)) || (task.awaitingAdmins && decidesForAdmins(viewer, adminUsersExist));
}

/** The task waits on this viewer to provision it (state aside): an owner of its MANUAL app, or an admin when it has none. */
export function isProvisionerOf(viewer: Viewer | null, task: TaskFacts): boolean {
  if (viewer === null || !task.manualProvisioning) return false;
  return (viewer.userId !== null && task.provisionerIds.includes(viewer.userId)) || (task.provisionerIds.length === 0 && hasAdminRole(viewer));
}

/** Assigned to the viewer to decide now: in their inbox, among `Task.approvers`. */
export const isAssignedToDecide = (viewer: Viewer | null, task: TaskFacts, adminUsersExist = true): boolean =>
  task.state === 'PENDING_APPROVAL' && isApproverOf(viewer, task, adminUsersExist);

/** Assigned to the viewer to provision now: in their inbox, among `Task.provisioners`. */
export const isAssignedToProvision = (viewer: Viewer | null, task: TaskFacts): boolean => task.state === 'PENDING_PROVISIONING' && isProvisionerOf(viewer, task);

/** Who may record a decision on the task's current step, state aside (the workflow checks the state first, for its CONFLICT). */
export function mayDecide(viewer: Viewer | null, task: TaskFacts, adminUsersExist = true): boolean {
  if (viewer === null || viewer.userId === task.userId) return false;
  if (viewer.userId === null) return task.awaitingAdmins && standsInForAdmins(viewer, adminUsersExist);
  return isApproverOf(viewer, task, adminUsersExist) || isAdmin(viewer);
}

/** Who may complete or fail the task's provisioning, state aside: its provisioners, or an admin. */
export function mayProvision(viewer: Viewer | null, task: TaskFacts): boolean {
  return isAdmin(viewer) || isProvisionerOf(viewer, task);
}

/**
 * Who may see a task: its subject and those who read everything; its requester, those who
 * decided or closed it (with a reading, reviewing or provisioning scope); the requester with the
 * scope they asked with (a request-only portal token); those it is assigned to now.
 */
export function canSeeTask(viewer: Viewer | null, task: TaskFacts & TaskPeople): boolean {
  if (canReadUser(viewer, task.userId)) return true;
  const userId = viewer?.userId ?? null;
  if (userId === null) return false;
  const involved = userId === task.requestedById || userId === task.closedById || task.deciderIds.includes(userId);
  if (involved && (hasScope(viewer, 'read') || hasScope(viewer, 'review') || hasScope(viewer, 'provision'))) return true;
  if (userId === task.requestedById && hasScope(viewer, 'request')) return true;
  if (isAssignedToDecide(viewer, task) && (hasScope(viewer, 'review') || hasScope(viewer, 'read'))) return true;
  return isAssignedToProvision(viewer, task) && (hasScope(viewer, 'provision') || hasScope(viewer, 'read'));
}

/**
 * The inbox filter's parameters for list-tasks.cypher: the same assignment as isAssignedTo*
 * (`admin`: the tasks that went to the admins, to decide, and admin-provisioned ones).
 */
export const inboxOf = (viewer: Viewer, adminUsersExist = true): { userId: string | null; admin: boolean; decidesForAdmins: boolean } => ({
  userId: viewer.userId,
  admin: hasAdminRole(viewer),
  decidesForAdmins: decidesForAdmins(viewer, adminUsersExist),
});
