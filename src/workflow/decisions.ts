/**
 * Reviewers' decisions (approveTask, denyTask), written together when they arrive together
 * (src/db/write-groups.ts: a lone decision is written at once, alone; those arriving while earlier
 * groups are written share the next transaction, at most one per task and, once locked, one per
 * subject: two decisions whose cascades could meet are written one after the other). In a group:
 *  - the tasks are locked in one statement (in id order) and each decision is checked alone, by the
 *    same rules and in the same order as a lone one; a refused decision gets its own error and
 *    changes nothing, the others go on;
 *  - the accepted ones are written set-based: one statement records the approvals, denials close
 *    their tasks, next steps are entered, last-step approvals go through the engine together
 *    (provisioning and cascades), and one read gives each its task as it is after;
 *  - each decision keeps its own audit entry (its reviewer as actor) and its own events;
 *  - anything else that fails (not one decision's refusal) fails the group, whose decisions are
 *    then written again one by one, so that the failure reaches only the decision it belongs to.
 * What it buys: an approval's transaction, its finishing statement and its share of the
 * sequencing and sealing passes are paid once per group (docs/decisions.md, "Writes written together").
 */
import type { AuditAction } from '../audit/trail.js';
import type { Viewer } from '../auth/viewer.js';
import { WriteGroups, type Settled } from '../db/write-groups.js';
import type { PolicyStep } from '../directory/records.js';
import { AppError, conflict, forbidden } from '../errors.js';
import { taskEvent } from '../events/domain.js';
import { newId, noSuch, now } from '../ids.js';
import { auditTask, factsOf, lockTasks, visibleTo, type LockedTask } from './locked.js';
import type { TaskRecord } from './records.js';
import { mayDecide } from './rules.js';
import type { TaskService } from './tasks.js';

export interface Decision {
  viewer: Viewer;
  taskId: string;
  approved: boolean;
  comment: string | null;
}

interface Accepted {
  /** Its place in the group. */
  index: number;
  decision: Decision;
  task: LockedTask;
  step: number;
  /** The policy's next step, when the decision approves one that is not the last. */
  next: PolicyStep | undefined;
}

/** Why the decision may not be made, checked on the locked task as a lone decision is (null: it may). */
async function refusalOf(decision: Decision, task: LockedTask | undefined, adminUsersExist: () => Promise<boolean>): Promise<AppError | null> {
  const { viewer, taskId } = decision;
  if (!visibleTo(viewer, task)) return noSuch('Task', taskId);
  if (task.userId === viewer.userId) return forbidden('Nobody decides a task about their own access');
  if (task.state !== 'PENDING_APPROVAL') return conflict(`The task is no longer awaiting approval (it is ${task.state})`, { state: task.state });
  // Whether an ADMIN user exists matters only to the bootstrap credential (rules.ts).
  if (!mayDecide(viewer, factsOf(task), viewer.userId !== null || (await adminUsersExist()))) {
    return forbidden(
      viewer.userId === null
        ? 'The bootstrap admin credential decides only tasks that went to the admins, and only while no user holds the ADMIN role: decide with a user token'
        : "You are not an approver of this task's current step",
    );
  }
  // Read with the task, after its lock: a decision committed meanwhile is among them.
  if (viewer.userId !== null && task.deciderIds.includes(viewer.userId)) return conflict('You already decided an earlier step of this task');
  return null;
}

const actionOf = (a: Accepted): AuditAction => (!a.decision.approved ? 'TASK_DENIED' : a.next ? 'TASK_STEP_APPROVED' : 'TASK_APPROVED');

/** The queue of decisions: grouped while earlier groups are written, one per task in a group. */
export const decisionGroups = (tasks: TaskService): WriteGroups<Decision, TaskRecord | null> =>
  new WriteGroups((group) => writeDecisions(tasks, group), { keyOf: (decision) => decision.taskId });

/** Writes a group of decisions in one transaction (see above); returns what became of each, in order. */
async function writeDecisions(tasks: TaskService, group: readonly Decision[]): Promise<Settled<TaskRecord | null>[]> {
  return tasks.write('decide', async (tx, outcome) => {
    const settled: Settled<TaskRecord | null>[] = group.map(() => ({ again: true }));
    const locked = await lockTasks(
      tx,
      group.map((d) => d.taskId),
    );
    let admins: Promise<boolean> | null = null;
    const adminUsersExist = () => (admins ??= tx.one<{ ids: string[] }>('workflow/admin-ids').then((row) => (row?.ids.length ?? 0) > 0));
    const accepted: Accepted[] = [];
    const subjects = new Set<string>();
    for (const [index, decision] of group.entries()) {
      const task = locked.get(decision.taskId);
      if (task && subjects.has(task.userId)) continue;
      const refused = await refusalOf(decision, task, adminUsersExist);
      if (refused) {
        settled[index] = { refused };
        continue;
      }
      subjects.add(task!.userId);
      const step = task!.currentStep ?? 0;
      const next = decision.approved ? (JSON.parse(task!.steps ?? '[]') as PolicyStep[])[step + 1] : undefined;
      accepted.push({ index, decision, task: task!, step, next });
    }
    if (accepted.length === 0) return settled;

    const at = now();
    await tx.run('workflow/record-approvals', {
      rows: accepted.map(({ decision, task, step }) => ({ taskId: task.id, id: newId(), byId: decision.viewer.userId, approved: decision.approved, comment: decision.comment, step })),
      now: at,
    });

    // Denials: their tasks end DENIED (one statement per reviewer and comment, the close reason).
    const denials = new Map<string, Accepted[]>();
    for (const a of accepted.filter((a) => !a.decision.approved)) {
      const key = JSON.stringify([a.decision.viewer.userId, a.decision.comment]);
      denials.set(key, [...(denials.get(key) ?? []), a]);
    }
    for (const denied of denials.values()) {
      const { viewer, comment } = denied[0]!.decision;
      await tx.run('workflow/close-tasks', { ids: denied.map((a) => a.task.id), from: 'PENDING_APPROVAL', to: 'DENIED', reason: comment, byId: viewer.userId, now: at });
      for (const { task, step } of denied) {
        // A denied rule enrollment or unenrollment sticks: the rule does not ask again (docs/sync.md).
        if (task.origin === 'SYNC') await tx.run('workflow/record-membership-decision', { taskId: task.id, now: at });
        outcome.events.push(taskEvent('TASK_DENIED', task, { byId: viewer.userId, step, comment }));
      }
    }

    // Approvals of a step that is not the last: the task enters the next one.
    const stepping = accepted.filter((a) => a.next !== undefined);
    const entered = new Map(
      (await tasks.engine.enterSteps(
        tx,
        stepping.map(({ task, step, next }) => ({ id: task.id, step: step + 1, approverType: next!.approverType, userIds: next!.userIds ?? [] })),
      )).map((row) => [row.id, row]),
    );
    for (const { decision, task, step } of stepping) {
      const next = entered.get(task.id);
      outcome.events.push(
        taskEvent('TASK_STEP_APPROVED', task, { byId: decision.viewer.userId, step, comment: decision.comment, nextStep: step + 1, approverIds: next?.approverIds ?? [], awaitingAdmins: next?.awaitingAdmins ?? false }),
      );
    }

    // Approvals of the last step: provisioned (and cascaded) together.
    const finals = accepted.filter((a) => a.decision.approved && a.next === undefined);
    for (const { decision, task, step } of finals) outcome.events.push(taskEvent('TASK_APPROVED', task, { byId: decision.viewer.userId, step, comment: decision.comment }));
    await tasks.engine.approve(
      tx,
      finals.map((a) => a.task.id),
      outcome,
      0,
    );

    const after = new Map((await tasks.byIds(tx, accepted.map((a) => a.task.id))).map((task) => [task.id, task]));
    for (const a of accepted) {
      auditTask(tx, a.decision.viewer, actionOf(a), a.task, after.get(a.task.id), { comment: a.decision.comment });
      settled[a.index] = { value: after.get(a.task.id) ?? null };
    }
    return settled;
  });
}
