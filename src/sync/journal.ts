/**
 * The journal of sync runs: the only writer of a run's state, and with each change of it the
 * event subscribers hear and the audit entry, all in the caller's transaction (so a run's state,
 * its events and its audit trail never disagree).
 */
import { recordAudit } from '../audit/trail.js';
import type { Viewer } from '../auth/viewer.js';
import type { Tx } from '../db/database.js';
import { directoryReads } from '../directory/repository.js';
import { PAUSED_USERS_NAMED, syncEvent } from '../events/domain.js';
import { now } from '../ids.js';
import type { RunRef } from './lease.js';
import type { SyncDiff, SyncRunRecord, SyncRunState, SyncTrigger } from './records.js';
import { syncReads } from './repository.js';

/** The failReason of a run that an instance left half-way (the next run of the profile marks it). */
export const INTERRUPTED = 'Interrupted before it finished; a later run redid it';

/** Who started or reviewed a run, as the run records it ('ADMIN_TOKEN' for the bootstrap credential). */
const actorIdOf = (actor: Viewer | null): string | null => (actor ? (actor.userId ?? 'ADMIN_TOKEN') : null);

const NO_DIFF = { memberCount: null, toEnroll: null, toUnenroll: null };

interface StateExtra {
  pauseReason?: string | null;
  failReason?: string | null;
  reviewedById?: string | null;
  reviewedAt?: string | null;
}

/** Moves the run from one of `from` to `to` (locked first); false when it was in none of them. */
async function moveState(tx: Tx, runId: string, from: SyncRunState[], to: SyncRunState, extra: StateExtra = {}): Promise<boolean> {
  const row = await tx.one('sync/set-run-state', {
    runId,
    fromStates: from,
    state: to,
    now: now(),
    pauseReason: extra.pauseReason ?? null,
    failReason: extra.failReason ?? null,
    reviewedById: extra.reviewedById ?? null,
    reviewedAt: extra.reviewedAt ?? null,
  });
  return row !== undefined;
}

const diffCounts = (diff: SyncDiff) => ({ memberCount: diff.memberCount, toEnroll: diff.toEnroll.length, toUnenroll: diff.toUnenroll.length });

export const syncJournal = {
  /** A new RUNNING run (under the lease just taken); runs the profile left RUNNING are marked FAILED. */
  async started(tx: Tx, ref: RunRef, trigger: SyncTrigger, actor: Viewer | null): Promise<void> {
    const { runId, profileId } = ref;
    const started = await tx.one<{ id: string; interrupted: string[] }>('sync/start-run', {
      profileId,
      run: { id: runId, trigger, actorId: actorIdOf(actor) },
      interrupted: INTERRUPTED,
      now: now(),
    });
    const interrupted = started?.interrupted ?? [];
    tx.unit.recordEvents([
      ...interrupted.map((id) => syncEvent('SYNC_FAILED', { runId: id, profileId }, { reason: INTERRUPTED })),
      syncEvent('SYNC_STARTED', ref, { trigger }),
    ]);
    recordAudit(tx, actor, {
      action: 'SYNC_STARTED',
      subjectType: 'SyncRun',
      subjectId: runId,
      after: { profileId, trigger, state: 'RUNNING', interruptedRunIds: interrupted },
    });
  },

  /** The diff's counts, recorded on the run. */
  async counted(tx: Tx, runId: string, diff: SyncDiff): Promise<void> {
    await tx.run('sync/record-progress', { runId, enrolled: 0, unenrolled: 0, cancelled: 0, processed: 0, total: null, diff: diffCounts(diff) });
  },

  /** One batch of a paused run's changes, kept on the run for its review. */
  async staged(tx: Tx, runId: string, toEnroll: string[], toUnenroll: string[]): Promise<void> {
    await tx.run('sync/stage-changes', { runId, toEnroll, toUnenroll });
  },

  /** One applied batch: its counts on the run (the first batch also the diff's), and a SYNC_PROGRESS event. */
  async progressed(
    tx: Tx,
    ref: RunRef,
    done: { enrolled: number; unenrolled: number; cancelled: number },
    progress: { processed: number; batch: number; total: number; phase: 'cancel' | 'enroll' | 'unenroll' },
    diff: SyncDiff | null = null,
  ): Promise<void> {
    await tx.run('sync/record-progress', { runId: ref.runId, ...done, processed: progress.batch, total: progress.total, diff: diff ? diffCounts(diff) : NO_DIFF });
    const { processed, total, phase } = progress;
    tx.unit.recordEvents([syncEvent('SYNC_PROGRESS', ref, { processed, total, phase, ...done })]);
  },

  /** The safeguard tripped: the run is PAUSED with its reason (its changes are staged). */
  async paused(tx: Tx, ref: RunRef, diff: SyncDiff): Promise<void> {
    const { runId, profileId } = ref;
    await moveState(tx, runId, ['RUNNING'], 'PAUSED', { pauseReason: diff.pauseReason });
    const counts = { stagedEnrollments: diff.toEnroll.length, stagedUnenrollments: diff.toUnenroll.length, memberCount: diff.memberCount };
    // What a person needs to read the pause: the profile's name and the first few users by name.
    const [profile] = await directoryReads.profilesById(tx, [profileId]);
    const first = diff.toUnenroll.slice(0, PAUSED_USERS_NAMED);
    const named = new Map((await directoryReads.usersById(tx, first)).map((u) => [u.id, u]));
    const firstStaged = first.flatMap((id) => {
      const u = named.get(id);
      return u ? [{ userId: u.id, externalId: u.externalId, displayName: u.displayName, email: u.email }] : [];
    });
    const unenrollPercent = diff.memberCount > 0 ? Math.round((counts.stagedUnenrollments / diff.memberCount) * 1000) / 10 : 0;
    tx.unit.recordEvents([
      syncEvent('SYNC_PAUSED', ref, {
        reason: diff.pauseReason,
        stagedUnenrollments: counts.stagedUnenrollments,
        stagedEnrollments: counts.stagedEnrollments,
        memberCount: counts.memberCount,
        profileName: profile?.name ?? null,
        unenrollPercent,
        firstStaged,
      }),
    ]);
    recordAudit(tx, null, {
      action: 'SYNC_PAUSED',
      subjectType: 'SyncRun',
      subjectId: runId,
      before: { state: 'RUNNING' },
      after: { profileId, state: 'PAUSED', reason: diff.pauseReason, ...counts },
    });
  },

  /** The run is COMPLETED; returns it as it ended. `diff`: an idle diff whose counts are recorded here. */
  async completed(tx: Tx, ref: RunRef, diff: SyncDiff | null): Promise<SyncRunRecord | undefined> {
    const { runId, profileId } = ref;
    if (diff) await syncJournal.counted(tx, runId, diff);
    await moveState(tx, runId, ['RUNNING'], 'COMPLETED');
    const [run] = await syncReads.runsByIds(tx, [runId]);
    const counts = { enrollTasksCreated: run?.enrollTasksCreated ?? 0, unenrollTasksCreated: run?.unenrollTasksCreated ?? 0, cancelledTasks: run?.cancelledTasks ?? 0 };
    tx.unit.recordEvents([syncEvent('SYNC_COMPLETED', ref, counts)]);
    recordAudit(tx, null, { action: 'SYNC_COMPLETED', subjectType: 'SyncRun', subjectId: runId, before: { state: 'RUNNING' }, after: { profileId, state: 'COMPLETED', ...counts } });
    return run;
  },

  /** The run is FAILED with the reason (unless it had ended already). */
  async failed(tx: Tx, ref: RunRef, reason: string): Promise<void> {
    const { runId, profileId } = ref;
    if (!(await moveState(tx, runId, ['RUNNING'], 'FAILED', { failReason: reason }))) return;
    tx.unit.recordEvents([syncEvent('SYNC_FAILED', ref, { reason })]);
    recordAudit(tx, null, { action: 'SYNC_FAILED', subjectType: 'SyncRun', subjectId: runId, before: { state: 'RUNNING' }, after: { profileId, state: 'FAILED', reason } });
  },

  /** A paused run is RUNNING again, reviewed by the actor; false when it was no longer paused. */
  async resumed(tx: Tx, ref: RunRef, staged: { toEnroll: string[]; toUnenroll: string[] }, actor: Viewer | null): Promise<boolean> {
    const { runId, profileId } = ref;
    if (!(await moveState(tx, runId, ['PAUSED'], 'RUNNING', { reviewedById: actorIdOf(actor), reviewedAt: now() }))) return false;
    tx.unit.recordEvents([syncEvent('SYNC_RESUMED', ref, { by: actorIdOf(actor) })]);
    recordAudit(tx, actor, {
      action: 'SYNC_RESUMED',
      subjectType: 'SyncRun',
      subjectId: runId,
      before: { state: 'PAUSED' },
      after: { profileId, state: 'RUNNING', stagedEnrollments: staged.toEnroll.length, stagedUnenrollments: staged.toUnenroll.length },
    });
    return true;
  },

  /** A paused run's staged changes are dropped (kept on the run for the record); false when it was no longer paused. */
  async discarded(tx: Tx, runId: string, profileId: string, actor: Viewer | null): Promise<boolean> {
    if (!(await moveState(tx, runId, ['PAUSED'], 'DISCARDED', { reviewedById: actorIdOf(actor), reviewedAt: now() }))) return false;
    tx.unit.recordEvents([syncEvent('SYNC_DISCARDED', { runId, profileId }, { by: actorIdOf(actor) })]);
    recordAudit(tx, actor, { action: 'SYNC_DISCARDED', subjectType: 'SyncRun', subjectId: runId, before: { state: 'PAUSED' }, after: { profileId, state: 'DISCARDED' } });
    return true;
  },
};
