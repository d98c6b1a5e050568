/**
 * The access workflow's entry points: self-service requests, reviewers' decisions, provisioning,
 * and cancellation. Each is one write transaction; events are appended in it and published after
 * it commits.
 */
import { recordAudit, type AuditAction } from '../audit/trail.js';
import { isAdmin, type Viewer } from '../auth/viewer.js';
import type { Database, Tx } from '../db/database.js';
import type { PolicyStep } from '../directory/records.js';
import { badInput, conflict, forbidden } from '../errors.js';
import { newId, noSuch, now } from '../ids.js';
import type { TaskService } from './tasks.js';
import type { TaskOrigin, TaskRecord, TaskRequest, TaskState } from './records.js';
import { taskEvent } from '../events/domain.js';
import { Outcome } from './engine.js';
import { canSeeTask, mayDecide, mayProvision, type TaskFacts } from './rules.js';

const MAX_TEXT = 2000;

interface LockedTask {
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
const factsOf = (task: LockedTask): TaskFacts => ({
  state: task.state,
  userId: task.userId,
  approverIds: task.approverIds,
  awaitingAdmins: task.awaitingAdmins,
  manualProvisioning: task.provisioning === 'MANUAL',
  provisionerIds: task.ownerIds,
});

function checkText(what: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined && value.length > MAX_TEXT) throw badInput(`${what} is at most ${MAX_TEXT} characters`);
}

export class WorkflowService {
  constructor(
    private readonly db: Database,
    private readonly tasks: TaskService,
  ) {}

  private get engine() {
    return this.tasks.engine;
  }

  /** One write transaction of workflow work: what it gathers is recorded on the transaction's unit of work. */
  private async unit(name: string, work: (tx: Tx, outcome: Outcome) => Promise<void>): Promise<Outcome> {
    return this.db.write(`workflow.${name}`, async (tx) => {
      // A fresh outcome per attempt: the driver may retry the function.
      const attempt = new Outcome();
      await work(tx, attempt);
      this.tasks.recordIn(tx, attempt);
      return attempt;
    });
  }

  /** The audit entry of a decision on one task: its state before (as locked) and after the work. */
  private async audit(tx: Tx, viewer: Viewer, action: AuditAction, task: LockedTask, details: Record<string, unknown>): Promise<TaskRecord | null> {
    const [after] = await this.tasks.byIds(tx, [task.id]);
    recordAudit(tx, viewer, {
      action,
      subjectType: 'Task',
      subjectId: task.id,
      before: { state: task.state, step: task.currentStep, kind: task.kind, userId: task.userId, entitlementId: task.entitlementId },
      after: { state: after?.state ?? null, step: after?.currentStep ?? null, ...details },
    });
    return after ?? null;
  }

  /**
   * Locks the task the viewer acts on. A task the viewer may not see (workflow/rules.ts
   * canSeeTask) answers exactly as an unknown id does, whatever its state: no mutation tells a
   * real id from an unknown one, or the state of a task one may not see.
   */
  private async lock(tx: Tx, viewer: Viewer, taskId: string): Promise<LockedTask> {
    const task = await tx.one<LockedTask>('workflow/lock-task', { id: taskId, now: now() });
    if (!task || !canSeeTask(viewer, { ...factsOf(task), requestedById: task.requestedById, closedById: task.closedById ?? null, deciderIds: task.deciderIds })) {
      throw noSuch('Task', taskId);
    }
    return task;
  }

  /** The viewer asks for an entitlement for themself (scope `request`). Returns the task's id. */
  async requestAccess(viewer: Viewer, entitlementId: string, reason: string | null): Promise<string> {
    if (viewer.userId === null) throw badInput('The bootstrap admin token acts as no user: request access with a user token');
    checkText('A reason', reason);
    const userId = viewer.userId;
    const target = await this.db.read('workflow.requestAccess', (tx) =>
      tx.one<{ kind: string; profileId: string | null; allowEnrollmentRequests: boolean; held: boolean }>('workflow/entitlement-for-request', { entitlementId, userId }),
    );
    if (!target) throw noSuch('Entitlement', entitlementId);
    if (target.kind === 'PROFILE_EXCLUSION') throw badInput('An exclusion is not requested: admins set it in the profile automation');
    const enrollment = target.kind === 'PROFILE_ENROLLMENT';
    if (enrollment && !target.allowEnrollmentRequests) throw forbidden('This access profile does not accept enrollment requests');
    if (target.held) throw badInput(enrollment ? 'You are already a member of this access profile' : 'You already hold this entitlement');
    const request: TaskRequest = {
      kind: 'GRANT',
      origin: 'SELF_SERVICE',
      userId,
      entitlementId,
      profileId: enrollment ? target.profileId : null,
      requestedById: userId,
      reason,
      enrollVia: enrollment ? 'SELF_SERVICE' : null,
    };
    const outcome = await this.unit('requestAccess', async (tx, o) => {
      await this.engine.createIn(tx, [request], o);
      const [task] = o.created.length > 0 ? await this.tasks.byIds(tx, o.created) : [];
      if (task) {
        recordAudit(tx, viewer, {
          action: 'ACCESS_REQUESTED',
          subjectType: 'Task',
          subjectId: task.id,
          after: { state: task.state, kind: task.kind, origin: task.origin, userId, entitlementId, profileId: request.profileId ?? null, reason },
        });
      }
    });
    return (outcome.created[0] ?? outcome.existing[0])!;
  }

  /**
   * A reviewer approves or denies the current step of a task (scope `review`). The bootstrap
   * admin credential decides too, but only the tasks that went to the admins while no user holds
   * the ADMIN role (workflow/rules.ts); its decision is recorded as the credential's.
   */
  async decide(viewer: Viewer, taskId: string, approved: boolean, comment: string | null): Promise<TaskRecord | null> {
    checkText('A comment', comment);
    const reviewerId = viewer.userId;
    let after: TaskRecord | null = null;
    await this.unit('decide', async (tx, outcome) => {
      const task = await this.lock(tx, viewer, taskId);
      if (task.userId === reviewerId) throw forbidden('Nobody decides a task about their own access');
      if (task.state !== 'PENDING_APPROVAL') throw conflict(`The task is no longer awaiting approval (it is ${task.state})`, { state: task.state });
      const step = task.currentStep ?? 0;
      // Whether an ADMIN user exists matters only to the bootstrap credential (rules.ts).
      const adminUsersExist = reviewerId !== null || ((await tx.one<{ ids: string[] }>('workflow/admin-ids'))?.ids.length ?? 0) > 0;
      if (!mayDecide(viewer, factsOf(task), adminUsersExist)) {
        throw forbidden(
          reviewerId === null
            ? 'The bootstrap admin credential decides only tasks that went to the admins, and only while no user holds the ADMIN role: decide with a user token'
            : "You are not an approver of this task's current step",
        );
      }
      // Read with the task, after its lock: a decision committed meanwhile is among them.
      if (reviewerId !== null && task.deciderIds.includes(reviewerId)) throw conflict('You already decided an earlier step of this task');
      await tx.run('workflow/record-approval', { taskId, id: newId(), byId: reviewerId, approved, comment, step, now: now() });
      const ref = { id: task.id, userId: task.userId, profileId: task.profileId };
      if (!approved) {
        await tx.run('workflow/close-tasks', { ids: [taskId], from: 'PENDING_APPROVAL', to: 'DENIED', reason: comment, byId: reviewerId, now: now() });
        // A denied rule enrollment or unenrollment sticks: the rule does not ask again (docs/sync.md).
        if (task.origin === 'SYNC') await tx.run('workflow/record-membership-decision', { taskId, now: now() });
        outcome.events.push(taskEvent('TASK_DENIED', ref, { byId: reviewerId, step, comment }));
        after = await this.audit(tx, viewer, 'TASK_DENIED', task, { comment });
        return;
      }
      const steps = JSON.parse(task.steps ?? '[]') as PolicyStep[];
      const next = steps[step + 1];
      if (next) {
        const [entered] = await this.engine.enterSteps(tx, [{ id: taskId, step: step + 1, approverType: next.approverType, userIds: next.userIds ?? [] }]);
        outcome.events.push(taskEvent('TASK_STEP_APPROVED', ref, { byId: reviewerId, step, comment, nextStep: step + 1, approverIds: entered?.approverIds ?? [], awaitingAdmins: entered?.awaitingAdmins ?? false }));
        after = await this.audit(tx, viewer, 'TASK_STEP_APPROVED', task, { comment });
        return;
      }
      outcome.events.push(taskEvent('TASK_APPROVED', ref, { byId: reviewerId, step, comment }));
      await this.engine.approve(tx, [taskId], outcome, 0);
      after = await this.audit(tx, viewer, 'TASK_APPROVED', task, { comment });
    });
    return after;
  }

  /** The owner of a MANUAL app (or an admin) reports the task provisioned (scope `provision`). */
  async completeProvisioning(viewer: Viewer, taskId: string): Promise<TaskRecord | null> {
    let after: TaskRecord | null = null;
    await this.unit('completeProvisioning', async (tx, outcome) => {
      const task = await this.lockForProvisioning(tx, viewer, taskId);
      await this.engine.complete(tx, [task.id], outcome, 0, viewer.userId);
      after = await this.audit(tx, viewer, 'PROVISIONING_COMPLETED', task, {});
    });
    return after;
  }

  /** The provisioner could not carry the change out: the task ends FAILED with the reason. */
  async failProvisioning(viewer: Viewer, taskId: string, reason: string): Promise<TaskRecord | null> {
    if (reason.trim() === '') throw badInput('A reason is required');
    checkText('A reason', reason);
    let after: TaskRecord | null = null;
    await this.unit('failProvisioning', async (tx, outcome) => {
      const task = await this.lockForProvisioning(tx, viewer, taskId);
      await tx.run('workflow/close-tasks', { ids: [taskId], from: 'PENDING_PROVISIONING', to: 'FAILED', reason, byId: viewer.userId, now: now() });
      outcome.events.push(taskEvent('TASK_FAILED', task, { byId: viewer.userId, reason }));
      after = await this.audit(tx, viewer, 'PROVISIONING_FAILED', task, { reason });
    });
    return after;
  }

  private async lockForProvisioning(tx: Tx, viewer: Viewer, taskId: string): Promise<LockedTask> {
    const task = await this.lock(tx, viewer, taskId);
    if (!mayProvision(viewer, factsOf(task))) throw forbidden("Only the app's owners or an admin provision its tasks");
    if (task.state !== 'PENDING_PROVISIONING') throw conflict(`The task is not awaiting provisioning (it is ${task.state})`, { state: task.state });
    return task;
  }

  /** The requester of a task (or its subject, for a self-service request) or an admin withdraws it. */
  async cancel(viewer: Viewer, taskId: string, reason: string | null): Promise<TaskRecord | null> {
    checkText('A reason', reason);
    let after: TaskRecord | null = null;
    await this.unit('cancel', async (tx, outcome) => {
      const task = await this.lock(tx, viewer, taskId);
      const own = viewer.userId !== null && (task.requestedById === viewer.userId || (task.origin === 'SELF_SERVICE' && task.userId === viewer.userId));
      if (!own && !isAdmin(viewer)) throw forbidden('Only the requester or an admin cancels a task');
      if (task.state !== 'PENDING_APPROVAL' && task.state !== 'PENDING_PROVISIONING') {
        throw conflict(`The task is already closed (it is ${task.state})`, { state: task.state });
      }
      await this.engine.cancel(tx, [taskId], reason ?? 'Cancelled', viewer.userId, outcome);
      after = await this.audit(tx, viewer, 'TASK_CANCELLED', task, { reason: reason ?? 'Cancelled' });
    });
    return after;
  }
}
