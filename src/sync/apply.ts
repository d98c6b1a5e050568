/**
 * Applying a run's changes: stale task cancellations, enrollments and unenrollments, in bounded
 * batches. Each batch rechecks its users against the graph as it is now, renews the lease, creates
 * or cancels the tasks and records its progress in one transaction; so a run stopped half-way
 * leaves whole batches, and the next run's diff (which leaves out pending users) redoes the rest.
 */
import { batchesOf } from '../batches.js';
import type { Database, Tx } from '../db/database.js';
import type { AutomationMode } from '../directory/records.js';
import type { TaskRequest } from '../workflow/records.js';
import type { TaskService } from '../workflow/tasks.js';
import { syncJournal } from './journal.js';
import type { RunRef, SyncLease } from './lease.js';
import type { SyncDiff } from './records.js';

export type ApplyPhase = 'cancel' | 'enroll' | 'unenroll';

/** Test seams: called between steps, so a test can hold a run open or stop a process half-way. */
export interface SyncHooks {
  afterStart?: (runId: string) => Promise<void> | void;
  afterBatch?: (info: { runId: string; phase: ApplyPhase; done: number; total: number }) => Promise<void> | void;
}

export interface ApplyPlan {
  enrollmentEntitlementId: string;
  mode: AutomationMode;
  toEnroll: string[];
  toUnenroll: string[];
  toCancel: string[];
  /** The diff whose counts the first batch records on the run (null: recorded already, or kept). */
  counts: SyncDiff | null;
}

export interface ApplyDeps {
  db: Database;
  lease: SyncLease;
  tasks: TaskService;
  batchSize: number;
  hooks: SyncHooks;
}

const STALE = 'The user no longer needs this change: a sync found them matching again or no longer matching';

/** One batch's tasks: the cancelled stale ones, or the enrollment / unenrollment requests of the users who still need them. */
async function applyBatch(deps: ApplyDeps, tx: Tx, ref: RunRef, plan: ApplyPlan, phase: ApplyPhase, ids: string[]) {
  if (phase === 'cancel') return { enrolled: 0, unenrolled: 0, cancelled: (await deps.tasks.cancelIn(tx, ids, STALE)).length };
  const recheck = phase === 'enroll' ? 'sync/recheck-enrollments' : 'sync/recheck-unenrollments';
  const userIds = (await tx.one<{ userIds: string[] }>(recheck, { profileId: ref.profileId, userIds: ids }))?.userIds ?? [];
  const requests: TaskRequest[] = userIds.map((userId) => ({
    kind: phase === 'enroll' ? 'GRANT' : 'REVOKE',
    origin: 'SYNC',
    userId,
    entitlementId: plan.enrollmentEntitlementId,
    profileId: ref.profileId,
    enrollVia: phase === 'enroll' ? 'RULE' : null,
    syncRunId: ref.runId,
  }));
  const created = requests.length > 0 ? (await deps.tasks.createIn(tx, requests)).created.length : 0;
  return phase === 'enroll' ? { enrolled: created, unenrolled: 0, cancelled: 0 } : { enrolled: 0, unenrolled: created, cancelled: 0 };
}

export async function applyChanges(deps: ApplyDeps, ref: RunRef, plan: ApplyPlan): Promise<void> {
  const total = plan.toCancel.length + plan.toEnroll.length + plan.toUnenroll.length;
  let processed = 0;
  const phases: [ApplyPhase, string[]][] = [
    ['cancel', plan.toCancel],
    ['enroll', plan.toEnroll],
    ['unenroll', plan.toUnenroll],
  ];
  for (const [phase, all] of phases) {
    for (const ids of batchesOf(all, deps.batchSize)) {
      await deps.db.write('sync.applyBatch', async (tx) => {
        await deps.lease.renew(tx, ref);
        const done = await applyBatch(deps, tx, ref, plan, phase, ids);
        await syncJournal.progressed(tx, ref, done, { processed: processed + ids.length, batch: ids.length, total, phase }, processed === 0 ? plan.counts : null);
      });
      processed += ids.length;
      await deps.hooks.afterBatch?.({ runId: ref.runId, phase, done: processed, total });
    }
  }
}
