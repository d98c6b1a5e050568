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
 * Nobody decides a task about their own access, and a decision is recorded against a user: the
 * bootstrap admin token, which is no user, sees the tasks that went to the admins in its inbox and
 * provisions, but does not decide.
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

/** The task waits on this viewer's decision (state aside): an approver of its step, or an admin when it went to the admins. */
export function isApproverOf(viewer: Viewer | null, task: TaskFacts): boolean {
  if (viewer === null || viewer.userId === task.userId) return false;
  return (viewer.userId !== null && task.approverIds.includes(viewer.userId)) || (task.awaitingAdmins && hasAdminRole(viewer));
}

/** The task waits on this viewer to provision it (state aside): an owner of its MANUAL app, or an admin when it has none. */
export function isProvisionerOf(viewer: Viewer | null, task: TaskFacts): boolean {
  if (viewer === null || !task.manualProvisioning) return false;
  return (viewer.userId !== null && task.provisionerIds.includes(viewer.userId)) || (task.provisionerIds.length === 0 && hasAdminRole(viewer));
}

/** Assigned to the viewer to decide now: in their inbox, among `Task.approvers`. */
export const isAssignedToDecide = (viewer: Viewer | null, task: TaskFacts): boolean => task.state === 'PENDING_APPROVAL' && isApproverOf(viewer, task);

/** Assigned to the viewer to provision now: in their inbox, among `Task.provisioners`. */
export const isAssignedToProvision = (viewer: Viewer | null, task: TaskFacts): boolean => task.state === 'PENDING_PROVISIONING' && isProvisionerOf(viewer, task);

/** Who may record a decision on the task's current step, state aside (the workflow checks the state first, for its CONFLICT). */
export function mayDecide(viewer: Viewer | null, task: TaskFacts): boolean {
  const userId = viewer?.userId ?? null;
  if (userId === null || userId === task.userId) return false;
  return isApproverOf(viewer, task) || isAdmin(viewer);
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

/** The inbox filter's parameters for list-tasks.cypher: the same assignment as isAssignedTo*. */
export const inboxOf = (viewer: Viewer): { userId: string | null; admin: boolean } => ({ userId: viewer.userId, admin: hasAdminRole(viewer) });
