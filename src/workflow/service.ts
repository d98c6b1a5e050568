/**
 * The access workflow's entry points: self-service requests, reviewers' decisions, provisioning,
 * and cancellation. Each is one write transaction; events are appended in it and published after
 * it commits.
 */
import { recordAudit, type AuditAction } from '../audit/trail.js';
import { isAdmin, type Viewer } from '../auth/viewer.js';
import type { Database, Tx } from '../db/database.js';
import { badInput, conflict, forbidden } from '../errors.js';
import { noSuch, now } from '../ids.js';
import type { TaskService } from './tasks.js';
import type { TaskRecord, TaskRequest } from './records.js';
import { taskEvent } from '../events/domain.js';
import type { Outcome } from './engine.js';
import type { WriteGroups } from '../db/write-groups.js';
import { decisionGroups, type Decision } from './decisions.js';
import { auditTask, factsOf, lockTasks, visibleTo, type LockedTask } from './locked.js';
import { mayProvision } from './rules.js';

const MAX_TEXT = 2000;

function checkText(what: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined && value.length > MAX_TEXT) throw badInput(`${what} is at most ${MAX_TEXT} characters`);
}

export class WorkflowService {
  /** Reviewers' decisions, written together when they arrive together (workflow/decisions.ts). */
  readonly decisions: WriteGroups<Decision, TaskRecord | null>;

  constructor(
    private readonly db: Database,
    private readonly tasks: TaskService,
  ) {
    this.decisions = decisionGroups(tasks);
  }

  private get engine() {
    return this.tasks.engine;
  }

  /** One write transaction of workflow work: what it gathers is recorded on the transaction's unit of work. */
  private async unit(name: string, work: (tx: Tx, outcome: Outcome) => Promise<void>): Promise<Outcome> {
    return this.tasks.write(name, async (tx, outcome) => {
      await work(tx, outcome);
      return outcome;
    });
  }

  /** The audit entry of what was done to one task, with the task as it is after the work. */
  private async audit(tx: Tx, viewer: Viewer, action: AuditAction, task: LockedTask, details: Record<string, unknown>): Promise<TaskRecord | null> {
    const [after] = await this.tasks.byIds(tx, [task.id]);
    auditTask(tx, viewer, action, task, after, details);
    return after ?? null;
  }

  /** Locks the task the viewer acts on; one the viewer may not see answers as an unknown id does (locked.ts visibleTo). */
  private async lock(tx: Tx, viewer: Viewer, taskId: string): Promise<LockedTask> {
    const task = (await lockTasks(tx, [taskId])).get(taskId);
    if (!visibleTo(viewer, task)) throw noSuch('Task', taskId);
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
   * the ADMIN role (workflow/rules.ts); its decision is recorded as the credential's. Decisions
   * arriving together share a transaction, each checked and answered alone (workflow/decisions.ts).
   */
  async decide(viewer: Viewer, taskId: string, approved: boolean, comment: string | null): Promise<TaskRecord | null> {
    checkText('A comment', comment);
    return this.decisions.submit({ viewer, taskId, approved, comment });
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
