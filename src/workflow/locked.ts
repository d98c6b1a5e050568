/**
 * A task as a decision or a provisioning report sees it: write-locked first, then read
 * (cypher/workflow/lock-tasks), with what the rules of who may act on it need (workflow/rules.ts),
 * and the audit entry of what was done to it.
 */
import { recordAudit, type AuditAction } from '../audit/trail.js';
import type { Viewer } from '../auth/viewer.js';
import type { Tx } from '../db/database.js';
import type { TaskOrigin, TaskRecord, TaskState } from './records.js';
import { canSeeTask, type TaskFacts } from './rules.js';

export interface LockedTask {
  id: string;
  kind: 'GRANT' | 'REVOKE';
  state: TaskState;
  origin: TaskOrigin;
  steps: string | null;
  currentStep: number | null;
  awaitingAdmins: boolean;
  userId: string;
  entitlementId: string;
  requestedById: string | null;
  closedById: string | null;
  /** Who recorded a decision on it (any step). */
  deciderIds: string[];
  approverIds: string[];
  profileId: string | null;
  provisioning: 'AUTOMATIC' | 'MANUAL';
  ownerIds: string[];
}

/** The locked task as the rules of who may act see it (workflow/rules.ts). */
export const factsOf = (task: LockedTask): TaskFacts => ({
  state: task.state,
  userId: task.userId,
  approverIds: task.approverIds,
  awaitingAdmins: task.awaitingAdmins,
  manualProvisioning: task.provisioning === 'MANUAL',
  provisionerIds: task.ownerIds,
});

/**
 * Write-locks the tasks, in the order of their ids (two transactions locking overlapping sets
 * wait for each other rather than deadlock), and reads them under the lock. Unknown ids are
 * missing from the map.
 */
export async function lockTasks(tx: Tx, ids: readonly string[]): Promise<Map<string, LockedTask>> {
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.run<LockedTask>('workflow/lock-tasks', { ids: sorted });
  return new Map(rows.map((task) => [task.id, task]));
}

/**
 * Whether the viewer may see the locked task (workflow/rules.ts canSeeTask). A task the viewer
 * may not see answers exactly as an unknown id does, whatever its state: no mutation tells a real
 * id from an unknown one, or the state of a task one may not see.
 */
export function visibleTo(viewer: Viewer, task: LockedTask | undefined): task is LockedTask {
  return task !== undefined && canSeeTask(viewer, { ...factsOf(task), requestedById: task.requestedById, closedById: task.closedById ?? null, deciderIds: task.deciderIds });
}

/** The audit entry of what was done to one task: its state before (as locked) and after the work. */
export function auditTask(tx: Tx, viewer: Viewer, action: AuditAction, task: LockedTask, after: TaskRecord | undefined, details: Record<string, unknown>): void {
  recordAudit(tx, viewer, {
    action,
    subjectType: 'Task',
    subjectId: task.id,
    before: { state: task.state, step: task.currentStep, kind: task.kind, userId: task.userId, entitlementId: task.entitlementId },
    after: { state: after?.state ?? null, step: after?.currentStep ?? null, ...details },
  });
}
