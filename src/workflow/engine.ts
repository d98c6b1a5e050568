/**
 * The workflow engine: moves tasks through their policy, provisions what the system provisions,
 * and runs the enrollment and unenrollment cascades. Everything is set-based (batches of
 * WORKFLOW_BATCH rows per statement) and runs inside the caller's transaction; what to publish
 * after the commit is gathered in an Outcome.
 */
import { tallyMemberships, tallyTasks } from '../audit/trail.js';
import { batchesOf } from '../batches.js';
import type { Tx } from '../db/database.js';
import type { PolicyStep } from '../directory/records.js';
import { taskEvent, type DomainEvent } from '../events/domain.js';
import { newId, now } from '../ids.js';
import type { CascadeRow, CompletedTask, CreatedRow, GroupPolicy, NewTask, TaskRef } from './engine-rows.js';
import type { TaskKind, TaskOrigin, TaskRequest } from './records.js';

export const WORKFLOW_BATCH = 5000;
/** Profiles may include other profiles' enrollment entitlements; cascades stop this deep. */
export const MAX_CASCADE_DEPTH = 5;

/** What a unit of workflow work did inside one transaction, and what to publish after it commits. */
export class Outcome {
  /** Tasks created by the caller's own requests (not their cascades). */
  readonly created: string[] = [];
  /** Open tasks that already covered one of the caller's requests. */
  readonly existing: string[] = [];
  readonly events: DomainEvent[] = [];
  readonly changedEntitlementIds = new Set<string>();
  /** Tasks completed (DONE) in this unit of work, cascades included. */
  completed = 0;
}

export interface WorkflowDefaults {
  requestSteps: PolicyStep[];
  revokeSteps: PolicyStep[];
}

/** Requests of one kind, origin, entitlement and profile share their policy. */
const groupKeyOf = (r: TaskRequest): string => `${r.kind}|${r.origin}|${r.entitlementId}|${r.profileId ?? ''}`;

type CreateRow = NewTask & { parentId: string | null; requestedById: string | null; reason: string | null; enrollVia: string | null; syncRunId: string | null; policyId: string | null };

/** What rows of a create-tasks batch share. */
const SHARED = ['kind', 'origin', 'entitlementId', 'profileId', 'enrollVia', 'syncRunId', 'steps', 'policyId', 'approved', 'approverType', 'approverUserIds'] as const;

/**
 * A create-tasks batch as the statement takes it: what rows share, once per group, and per row only
 * its id, user, group and the fields it sets (a sync batch of 5,000 rows is one group).
 */
function leanRowsOf(rows: CreateRow[]) {
  const groups: Record<(typeof SHARED)[number], unknown>[] = [];
  const indexOf = new Map<string, number>();
  const lean = rows.map((row) => {
    const key = SHARED.map((k) => String(row[k])).join('\u0000');
    let g = indexOf.get(key);
    if (g === undefined) {
      g = groups.push(Object.fromEntries(SHARED.map((k) => [k, row[k]])) as Record<(typeof SHARED)[number], unknown>) - 1;
      indexOf.set(key, g);
    }
    return {
      id: row.id,
      userId: row.userId,
      g,
      ...(row.parentId !== null ? { parentId: row.parentId } : {}),
      ...(row.requestedById !== null ? { requestedById: row.requestedById } : {}),
      ...(row.reason !== null ? { reason: row.reason } : {}),
    };
  });
  return { groups, rows: lean };
}

export class WorkflowEngine {
  constructor(readonly defaults: WorkflowDefaults) {}

  /**
   * Creates the tasks (an open task of the same kind, user and entitlement is reused) and moves
   * each new one as far as its policy lets it go now. The policy is picked once per group of
   * requests of one kind, origin, entitlement and profile (a sync batch is one group), and the
   * tasks are created with its steps and at its first step (approvers resolved): two statements
   * per batch, whatever its size.
   */
  async createIn(tx: Tx, requests: readonly TaskRequest[], outcome: Outcome, depth = 0): Promise<void> {
    if (requests.length === 0) return;
    const policies = await this.policiesOf(tx, requests);
    const createdRows: (NewTask & { entered: { approverIds: string[]; awaitingAdmins: boolean } | null })[] = [];
    const at = now();
    for (const batch of batchesOf(requests, WORKFLOW_BATCH)) {
      const rows = batch.map((r) => {
        const policy = policies.get(groupKeyOf(r));
        const first = policy?.parsed[0] ?? null;
        return {
          id: newId(),
          kind: r.kind,
          origin: r.origin,
          userId: r.userId,
          entitlementId: r.entitlementId,
          profileId: r.profileId ?? null,
          parentId: r.parentId ?? null,
          requestedById: r.requestedById ?? null,
          reason: r.reason ?? null,
          enrollVia: r.enrollVia ?? null,
          syncRunId: r.syncRunId ?? null,
          steps: policy?.steps ?? null,
          policyId: policy?.policyId ?? null,
          approved: policy !== undefined && policy.automatic && policy.parsed.length === 0,
          approverType: first?.approverType ?? null,
          approverUserIds: first?.userIds ?? [],
        };
      });
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const row of await tx.run<CreatedRow>('tasks/create-tasks', { ...leanRowsOf(rows), now: at })) {
        const made = row.created ? byId.get(row.id) : undefined;
        if (made) createdRows.push({ ...made, entered: row.approverIds === null ? null : { approverIds: row.approverIds, awaitingAdmins: row.awaitingAdmins ?? false } });
        if (depth === 0) (row.created ? outcome.created : outcome.existing).push(row.id);
      }
    }
    tallyTasks(tx, 'created', createdRows.map((row) => row.id));
    await this.start(tx, createdRows, outcome, depth);
  }

  /** The policy of each group of requests (kind, origin, entitlement, profile): its steps as JSON text and its id. */
  private async policiesOf(tx: Tx, requests: readonly TaskRequest[]): Promise<Map<string, GroupPolicy>> {
    const groups = new Map<string, { key: string; kind: TaskKind; origin: TaskOrigin; entitlementId: string; profileId: string | null }>();
    for (const r of requests) {
      const key = groupKeyOf(r);
      if (!groups.has(key)) groups.set(key, { key, kind: r.kind, origin: r.origin, entitlementId: r.entitlementId, profileId: r.profileId ?? null });
    }
    const defaults = { defaultRequestSteps: JSON.stringify(this.defaults.requestSteps), defaultRevokeSteps: JSON.stringify(this.defaults.revokeSteps) };
    const found = new Map<string, GroupPolicy>();
    for (const batch of batchesOf([...groups.values()], WORKFLOW_BATCH)) {
      for (const row of await tx.run<GroupPolicy & { key: string }>('workflow/policies-of-requests', { groups: batch, ...defaults })) {
        found.set(row.key, { steps: row.steps, policyId: row.policyId, automatic: row.automatic, parsed: JSON.parse(row.steps) as PolicyStep[] });
      }
    }
    return found;
  }

  /**
   * New tasks (created with their policy's steps): zero steps are approved at once (those the
   * system provisions were created approved and complete now), others await step 0, which
   * create-tasks entered (a task whose step it could not enter, none expected, enters it here).
   */
  private async start(tx: Tx, created: (NewTask & { entered: { approverIds: string[]; awaitingAdmins: boolean } | null })[], outcome: Outcome, depth: number): Promise<void> {
    const approveNow: string[] = [];
    const provisionNow = { GRANT: [] as string[], REVOKE: [] as string[] };
    const atStep: (TaskRef & { approverIds: string[]; awaitingAdmins: boolean })[] = [];
    const firstSteps: { id: string; step: number; approverType: string; userIds: string[] }[] = [];
    for (const row of created) {
      if (row.approverType === null) {
        if (row.approved) provisionNow[row.kind].push(row.id);
        else approveNow.push(row.id);
        outcome.events.push(taskEvent('TASK_CREATED', row, { kind: row.kind, origin: row.origin, entitlementId: row.entitlementId, autoApproved: true }));
      } else if (row.entered) {
        atStep.push({ id: row.id, userId: row.userId, profileId: row.profileId, ...row.entered });
      } else {
        firstSteps.push({ id: row.id, step: 0, approverType: row.approverType, userIds: row.approverUserIds });
      }
    }
    for (const entered of [...atStep, ...(await this.enterSteps(tx, firstSteps))]) {
      outcome.events.push(taskEvent('TASK_CREATED', entered, { step: 0, approverIds: entered.approverIds, awaitingAdmins: entered.awaitingAdmins }));
    }
    await this.approve(tx, approveNow, outcome, depth, provisionNow);
  }

  /** Puts tasks at a step of their policy, resolving its approvers (the admins when nobody). */
  async enterSteps(
    tx: Tx,
    rows: { id: string; step: number; approverType: string; userIds: string[] }[],
  ): Promise<(TaskRef & { approverIds: string[]; awaitingAdmins: boolean })[]> {
    const entered: (TaskRef & { approverIds: string[]; awaitingAdmins: boolean })[] = [];
    for (const batch of batchesOf(rows, WORKFLOW_BATCH)) {
      entered.push(...(await tx.run<TaskRef & { approverIds: string[]; awaitingAdmins: boolean }>('workflow/enter-steps', { rows: batch, now: now() })));
    }
    return entered;
  }

  /** Approved tasks: the system provisions AUTOMATIC apps and profiles at once; MANUAL apps wait. */
  async approve(tx: Tx, ids: string[], outcome: Outcome, depth: number, approvedAlready = { GRANT: [] as string[], REVOKE: [] as string[] }): Promise<void> {
    const automatic = { GRANT: [...approvedAlready.GRANT], REVOKE: [...approvedAlready.REVOKE] };
    for (const batch of batchesOf(ids, WORKFLOW_BATCH)) {
      const rows = await tx.run<TaskRef & { kind: TaskKind; automatic: boolean; provisionerIds: string[] }>('workflow/approve-tasks', { ids: batch, now: now() });
      for (const row of rows) {
        if (row.automatic) automatic[row.kind].push(row.id);
        else outcome.events.push(taskEvent('TASK_PROVISIONING', row, { provisionerIds: row.provisionerIds, approverIds: row.provisionerIds }));
      }
      tallyTasks(tx, 'provisioning', rows.filter((row) => !row.automatic));
    }
    await this.completeOf(tx, automatic.GRANT, automatic.REVOKE, outcome, depth, null);
  }

  /** Completes tasks awaiting provisioning: grants are created or removed, then the cascades run. */
  async complete(tx: Tx, ids: string[], outcome: Outcome, depth: number, byId: string | null): Promise<void> {
    await this.completeOf(tx, ids, ids, outcome, depth, byId);
  }

  /** Completes grant and revoke tasks (a task of the other kind in a list is left alone). */
  private async completeOf(tx: Tx, grantIds: string[], revokeIds: string[], outcome: Outcome, depth: number, byId: string | null): Promise<void> {
    if (grantIds.length === 0 && revokeIds.length === 0) return;
    const done: CompletedTask[] = [];
    const at = now();
    for (const batch of batchesOf(grantIds, WORKFLOW_BATCH)) {
      done.push(...(await tx.run<CompletedTask>('workflow/complete-grant-tasks', { rows: batch.map((id) => ({ id, grantId: newId() })), now: at, byId })));
    }
    for (const batch of batchesOf(revokeIds, WORKFLOW_BATCH)) {
      done.push(...(await tx.run<CompletedTask>('workflow/complete-revoke-tasks', { ids: batch, now: at, byId })));
    }
    outcome.completed += done.length;
    tallyTasks(tx, 'completed', done);
    for (const task of done) {
      outcome.events.push(taskEvent('TASK_DONE', task, { kind: task.kind, entitlementId: task.entitlementId, ...(byId ? { byId } : {}) }));
      if (task.changed) outcome.changedEntitlementIds.add(task.entitlementId);
    }
    await this.cascade(tx, done, outcome, depth);
  }

  /** What completed enrollments and unenrollments mean for the items of their profiles. */
  private async cascade(tx: Tx, done: CompletedTask[], outcome: Outcome, depth: number): Promise<void> {
    const children: TaskRequest[] = [];
    // Under SYNC_MEMBERS_ONLY a membership change made by the sync changes no access.
    const membersOnly = (t: CompletedTask) => t.origin === 'SYNC' && t.automationMode === 'SYNC_MEMBERS_ONLY';

    const enrolled = done.filter((t) => t.kind === 'GRANT' && t.ownProfileId !== null);
    for (const t of enrolled) outcome.events.push(taskEvent('MEMBER_ENROLLED', { id: t.id, userId: t.userId, profileId: t.ownProfileId }, null));
    const enrollRows = enrolled.filter((t) => !membersOnly(t)).map((t) => ({ parentId: t.id, userId: t.userId, profileId: t.ownProfileId! }));
    for (const row of await this.itemsToGrant(tx, enrollRows, null)) {
      children.push({ kind: 'GRANT', origin: 'PROFILE_ENROLLMENT', userId: row.userId, entitlementId: row.entitlementId, profileId: row.profileId, parentId: row.parentId });
    }

    const unenrolled = done.filter((t) => t.kind === 'REVOKE' && t.ownProfileId !== null);
    tallyMemberships(tx, enrolled.length, unenrolled.length);
    for (const t of unenrolled) outcome.events.push(taskEvent('MEMBER_UNENROLLED', { id: t.id, userId: t.userId, profileId: t.ownProfileId }, null));
    const unenrollRows = unenrolled.map((t) => ({
      parentId: t.id,
      userId: t.userId,
      profileId: t.ownProfileId!,
      action: membersOnly(t) ? 'LEAVE_AS_IS' : (t.unenrollmentAction ?? 'REVOKE_UNJUSTIFIED'),
    }));
    await this.cancelOpenItemTasks(tx, unenrollRows, null, 'The user was unenrolled from the profile', outcome);
    for (const row of await this.itemsToRevoke(tx, unenrollRows, null)) {
      children.push({ kind: 'REVOKE', origin: 'PROFILE_UNENROLLMENT', userId: row.userId, entitlementId: row.entitlementId, profileId: row.profileId, parentId: row.parentId });
    }

    if (children.length === 0) return;
    if (depth >= MAX_CASCADE_DEPTH) return;
    await this.createIn(tx, children, outcome, depth + 1);
  }

  /** Items the users don't hold yet (held ones gain the profile as a source). */
  async itemsToGrant(tx: Tx, rows: { parentId: string | null; userId: string; profileId: string }[], entitlementIds: string[] | null): Promise<CascadeRow[]> {
    const result: CascadeRow[] = [];
    for (const batch of batchesOf(rows, WORKFLOW_BATCH)) {
      result.push(...(await tx.run<CascadeRow>('workflow/enrollment-cascade', { rows: batch, entitlementIds })));
    }
    return result;
  }

  /** Grants that lose the profile as a source, and those of them the unenrollment action revokes. */
  async itemsToRevoke(
    tx: Tx,
    rows: { parentId: string | null; userId: string; profileId: string; action: string }[],
    entitlementIds: string[] | null,
  ): Promise<CascadeRow[]> {
    const result: CascadeRow[] = [];
    for (const batch of batchesOf(rows, WORKFLOW_BATCH)) {
      result.push(...(await tx.run<CascadeRow>('workflow/unenrollment-cascade', { rows: batch, entitlementIds })));
    }
    return result;
  }

  /** Open item grant tasks of users who are no longer members (or of items no longer in the profile). */
  async cancelOpenItemTasks(tx: Tx, rows: { userId: string; profileId: string }[], entitlementIds: string[] | null, reason: string, outcome: Outcome): Promise<void> {
    const ids: string[] = [];
    for (const batch of batchesOf(rows, WORKFLOW_BATCH)) {
      ids.push(...(await tx.run<{ id: string }>('workflow/open-item-tasks', { rows: batch.map((r) => ({ userId: r.userId, profileId: r.profileId })), entitlementIds })).map((r) => r.id));
    }
    await this.cancel(tx, ids, reason, null, outcome);
  }

  async cancel(tx: Tx, ids: string[], reason: string, byId: string | null, outcome: Outcome): Promise<string[]> {
    const cancelled: string[] = [];
    for (const batch of batchesOf(ids, WORKFLOW_BATCH)) {
      for (const row of await tx.run<TaskRef>('tasks/cancel-tasks', { ids: batch, reason, byId, now: now() })) {
        cancelled.push(row.id);
        outcome.events.push(taskEvent('TASK_CANCELLED', row, { reason, ...(byId ? { byId } : {}) }));
      }
    }
    tallyTasks(tx, 'cancelled', cancelled);
    return cancelled;
  }
}
