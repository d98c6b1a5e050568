/**
 * The sync engine: compares who should be a member of a profile with who is (one set-based
 * statement per profile), and acts on the difference in bounded batches, under a lease in Neo4j so
 * that one profile never syncs twice at once, with the safeguard that pauses mass removals.
 */
import { recordAudit } from '../audit/trail.js';
import { batchesOf } from '../batches.js';
import { InFlight } from '../in-flight.js';
import type { Viewer } from '../auth/viewer.js';
import { directoryReads } from '../directory/repository.js';
import type { AutomationMode } from '../directory/records.js';
import { AppError, badInput, conflict, notFound } from '../errors.js';
import type { DomainEvent } from '../events/log.js';
import { encodeGlobalId, newId, now } from '../ids.js';
import type { Config } from '../config.js';
import type { Database, Tx } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { SettingsService } from '../settings/service.js';
import type { TaskService } from '../tasks/service.js';
import type { TaskRecord, TaskRequest } from '../tasks/records.js';
import type { SyncDiff, SyncRunRecord, SyncRunState, SyncTrigger } from './records.js';
import { syncReads } from './repository.js';
import { safeguardVerdict } from './safeguard.js';

/** The run lost its lease (it expired and another instance took it over): stop writing at once. */
export class LeaseLostError extends Error {
  constructor(readonly runId: string) {
    super(`sync run ${runId} lost its lease`);
  }
}

/** What the sync engine uses. */
export interface SyncDeps {
  db: Database;
  config: Pick<Config, 'syncLeaseSeconds' | 'syncIntervalSeconds'>;
  logger: Logger;
  settings: SettingsService;
  tasks: TaskService;
}

/** Test seams: called between steps, so a test can hold a run open or stop a process half-way. */
export interface SyncHooks {
  afterStart?: (runId: string) => Promise<void> | void;
  afterBatch?: (info: { runId: string; phase: 'cancel' | 'enroll' | 'unenroll'; done: number; total: number }) => Promise<void> | void;
}

/** The `reason` of the CONFLICT a sync gets when another holds the profile's lease. */
export const SYNC_RUNNING = 'SYNC_RUNNING';

/** True for the error of a sync that found another sync of the profile running. */
export const isSyncRunning = (error: unknown): boolean => error instanceof AppError && error.extensions.reason === SYNC_RUNNING;

/** The `reason` of the INTERNAL error of a sync that failed (it is recorded as FAILED). */
export const SYNC_FAILED = 'SYNC_FAILED';

/** The failReason of a run that an instance left half-way (the next run of the profile marks it). */
const INTERRUPTED = 'Interrupted before it finished; a later run redid it';

const AUTOMATIC: SyncTrigger[] = ['SCHEDULE', 'HOLDERS_CHANGED', 'AUTOMATION_SAVED'];

const actorIdOf = (actor: Viewer | null): string | null => (actor ? (actor.userId ?? 'ADMIN_TOKEN') : null);

interface ApplyPlan {
  runId: string;
  holder: string;
  profileId: string;
  enrollmentEntitlementId: string;
  mode: AutomationMode;
  toEnroll: string[];
  toUnenroll: string[];
  toCancel: string[];
}

export class SyncService {
  /** Rows per write transaction. */
  batchSize = 2000;
  hooks: SyncHooks = {};

  /** Runs under way in this process (a sync or a resume, however started): idle() waits for them. */
  private readonly running = new InFlight();

  constructor(private readonly deps: SyncDeps) {}

  /** Resolves once no sync or resume started in this process is still under way. */
  idle(): Promise<void> {
    return this.running.idle();
  }

  get busy(): boolean {
    return this.running.busy;
  }

  private get db() {
    return this.deps.db;
  }

  private leaseExpiry(): number {
    return Date.now() + this.deps.config.syncLeaseSeconds * 1000;
  }

  // ---------------------------------------------------------------- reads

  async diff(profileId: string): Promise<SyncDiff> {
    const { row, settings } = await this.db.read(async (tx) => ({
      row: await tx.one<Omit<SyncDiff, 'profileId' | 'wouldPause' | 'pauseReason'>>('sync/compute-diff', { profileId }),
      settings: await this.deps.settings.safeguard(tx),
    }));
    if (!row) throw notFound('No such access profile');
    const pauseReason = safeguardVerdict(row.memberCount, row.toUnenroll.length, row.pauseOnAnomalies, settings);
    return { ...row, profileId, wouldPause: pauseReason !== null, pauseReason };
  }

  async run(runId: string): Promise<SyncRunRecord> {
    const [run] = await this.db.read((tx) => syncReads.runsByIds(tx, [runId]));
    if (!run) throw notFound('No such sync run');
    return run;
  }

  // ---------------------------------------------------------------- running a sync

  /** Manual "sync now": CONFLICT when a sync of the profile is running, SAFEGUARD_PAUSED when one awaits review. */
  async syncNow(profileId: string, actor: Viewer | null): Promise<SyncRunRecord> {
    return this.sync(profileId, 'MANUAL', actor);
  }

  /**
   * Runs one sync of a profile to its end (COMPLETED, PAUSED or FAILED) and returns the run. Only
   * one runs per profile at a time, across instances: the lease is taken in the same transaction
   * that creates the run.
   */
  sync(profileId: string, trigger: SyncTrigger, actor: Viewer | null): Promise<SyncRunRecord> {
    return this.running.track(this.runSync(profileId, trigger, actor));
  }

  private async runSync(profileId: string, trigger: SyncTrigger, actor: Viewer | null): Promise<SyncRunRecord> {
    const runId = newId();
    const holder = runId;
    await this.db.write(async (tx) => {
      const [profile] = await directoryReads.profilesById(tx, [profileId]);
      if (!profile) throw notFound('No such access profile');
      if (!profile.automationEnabled) throw conflict('The membership automation of this profile is disabled');
      const lease = await tx.one<{ acquired: boolean; runId: string }>('sync/acquire-lease', {
        profileId,
        holder,
        runId,
        nowMs: Date.now(),
        expiresAtMs: this.leaseExpiry(),
        now: now(),
      });
      if (!lease?.acquired) {
        throw conflict('A sync of this profile is already running', { reason: SYNC_RUNNING, syncRunId: lease ? encodeGlobalId('SyncRun', lease.runId) : null });
      }
      const paused = await tx.one<{ id: string }>('sync/paused-run-of-profile', { profileId });
      if (paused) {
        throw new AppError('SAFEGUARD_PAUSED', 'A paused sync of this profile awaits review: resume or discard it first', {
          syncRunId: encodeGlobalId('SyncRun', paused.id),
        });
      }
      const started = await tx.one<{ id: string; interrupted: string[] }>('sync/start-run', {
        profileId,
        run: { id: runId, trigger, actorId: actorIdOf(actor) },
        interrupted: INTERRUPTED,
        now: now(),
      });
      tx.unit.recordEvents([
        ...(started?.interrupted ?? []).map((id): DomainEvent => ({ type: 'SYNC_FAILED', runId: id, profileId, payload: { reason: INTERRUPTED } })),
        { type: 'SYNC_STARTED', runId, profileId, payload: { trigger } },
      ]);
      recordAudit(tx, actor, {
        action: 'SYNC_STARTED',
        subjectType: 'SyncRun',
        subjectId: runId,
        after: { profileId, trigger, state: 'RUNNING', interruptedRunIds: started?.interrupted ?? [] },
      });
    });
    const finished = await this.failingRun(runId, holder, profileId, 'The sync failed', async () => {
      await this.hooks.afterStart?.(runId);
      const diff = await this.diff(profileId);
      if (!diff.wouldPause) return this.applyAndFinish(runId, holder, profileId, diff, diff, true);
      await this.pause(runId, holder, diff);
      return undefined;
    });
    return finished ?? this.run(runId);
  }

  /**
   * Runs a started run's work; any error marks the run FAILED and reaches the caller as a coded
   * error that says what redoes the work (the reason is on the run and on its SYNC_FAILED event).
   */
  private async failingRun<T>(runId: string, holder: string, profileId: string, message: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const reason = await this.fail(runId, holder, profileId, error);
      if (error instanceof AppError) throw error;
      throw new AppError('INTERNAL', `${message}: ${reason}. ${this.redoneBy()}`, { syncRunId: encodeGlobalId('SyncRun', runId), reason: SYNC_FAILED });
    }
  }

  /** What redoes a failed run's work: every run compares the graph afresh, so the next one does. */
  private redoneBy(): string {
    const minutes = Math.max(1, Math.round(this.deps.config.syncIntervalSeconds / 60));
    return `The next sync of the profile redoes what is left: the scheduled one (every ${minutes} minute${minutes === 1 ? '' : 's'}), a change of who holds its condition entitlements, or Sync now`;
  }

  /**
   * Applies a run's changes (the diff's, or the staged ones of a resumed run) with the diff's stale
   * task cancellations, then completes it. With nothing to do (the steady state) only the
   * finishing transaction writes, recording the diff's counts when `recordDiff`.
   */
  private async applyAndFinish(
    runId: string,
    holder: string,
    profileId: string,
    diff: SyncDiff,
    changes: { toEnroll: string[]; toUnenroll: string[] },
    recordDiff: boolean,
  ): Promise<SyncRunRecord | undefined> {
    const toCancel = [...diff.staleEnrollTasks, ...diff.staleUnenrollTasks];
    const idle = changes.toEnroll.length === 0 && changes.toUnenroll.length === 0 && toCancel.length === 0;
    if (!idle) {
      if (recordDiff) await this.recordDiff(runId, holder, profileId, diff);
      await this.apply({
        runId,
        holder,
        profileId,
        enrollmentEntitlementId: diff.enrollmentEntitlementId,
        mode: diff.mode,
        toEnroll: changes.toEnroll,
        toUnenroll: changes.toUnenroll,
        toCancel,
      });
    }
    return this.finish(runId, holder, profileId, 'COMPLETED', ['RUNNING'], idle && recordDiff ? diff : null);
  }

  private async renewLease(tx: Tx, runId: string, holder: string, profileId: string): Promise<void> {
    const row = await tx.one<{ held: boolean }>('sync/renew-lease', { profileId, holder, expiresAtMs: this.leaseExpiry() });
    if (!row?.held) throw new LeaseLostError(runId);
  }

  private async recordDiff(runId: string, holder: string, profileId: string, diff: SyncDiff): Promise<void> {
    await this.db.write(async (tx) => {
      await this.renewLease(tx, runId, holder, profileId);
      await tx.run('sync/record-progress', {
        runId,
        enrolled: 0,
        unenrolled: 0,
        cancelled: 0,
        diff: { memberCount: diff.memberCount, toEnroll: diff.toEnroll.length, toUnenroll: diff.toUnenroll.length },
      });
    });
  }

  /** The safeguard tripped: stage the lists on the run (no task written), mark it PAUSED, free the lease. */
  private async pause(runId: string, holder: string, diff: SyncDiff): Promise<void> {
    const { profileId } = diff;
    await this.recordDiff(runId, holder, profileId, diff);
    const enroll = batchesOf(diff.toEnroll, this.batchSize);
    const unenroll = batchesOf(diff.toUnenroll, this.batchSize);
    for (let i = 0; i < Math.max(enroll.length, unenroll.length); i += 1) {
      await this.db.write(async (tx) => {
        await this.renewLease(tx, runId, holder, profileId);
        await tx.run('sync/stage-changes', { runId, toEnroll: enroll[i] ?? [], toUnenroll: unenroll[i] ?? [] });
      });
    }
    await this.db.write(async (tx) => {
      await this.renewLease(tx, runId, holder, profileId);
      await this.setState(tx, runId, ['RUNNING'], 'PAUSED', { pauseReason: diff.pauseReason });
      tx.unit.recordEvents([
        {
          type: 'SYNC_PAUSED',
          runId,
          profileId,
          payload: { reason: diff.pauseReason, stagedUnenrollments: diff.toUnenroll.length, stagedEnrollments: diff.toEnroll.length, memberCount: diff.memberCount },
        },
      ]);
      recordAudit(tx, null, {
        action: 'SYNC_PAUSED',
        subjectType: 'SyncRun',
        subjectId: runId,
        before: { state: 'RUNNING' },
        after: { profileId, state: 'PAUSED', reason: diff.pauseReason, stagedEnrollments: diff.toEnroll.length, stagedUnenrollments: diff.toUnenroll.length, memberCount: diff.memberCount },
      });
      await tx.run('sync/release-lease', { profileId, holder, now: now() });
    });
  }

  /**
   * Writes the changes in bounded batches: cancellations, enrollments, unenrollments. Each batch
   * rechecks its users against the graph as it is now, renews the lease and counts on the run, in
   * one transaction; so a run stopped half-way leaves whole batches, and the next run's diff
   * (which leaves out pending users) redoes exactly the rest.
   */
  private async apply(plan: ApplyPlan): Promise<void> {
    const { runId, holder, profileId, enrollmentEntitlementId } = plan;
    const total = plan.toCancel.length + plan.toEnroll.length + plan.toUnenroll.length;
    let processed = 0;
    const batch = async (phase: 'cancel' | 'enroll' | 'unenroll', ids: string[]) => {
      await this.db.write(async (tx) => {
        await this.renewLease(tx, runId, holder, profileId);
        let enrolled = 0;
        let unenrolled = 0;
        let cancelled = 0;
        if (phase === 'cancel') {
          cancelled = (await this.deps.tasks.cancelIn(tx, ids, 'The user no longer needs this change: a sync found them matching again or no longer matching')).length;
        } else {
          const recheck = phase === 'enroll' ? 'sync/recheck-enrollments' : 'sync/recheck-unenrollments';
          const userIds = (await tx.one<{ userIds: string[] }>(recheck, { profileId, userIds: ids }))?.userIds ?? [];
          const requests: TaskRequest[] = userIds.map((userId) => ({
            kind: phase === 'enroll' ? 'GRANT' : 'REVOKE',
            origin: 'SYNC',
            userId,
            entitlementId: enrollmentEntitlementId,
            profileId,
            enrollVia: phase === 'enroll' ? 'RULE' : null,
            syncRunId: runId,
          }));
          const result = requests.length > 0 ? await this.deps.tasks.createIn(tx, requests) : null;
          const created = result?.created.length ?? 0;
          if (phase === 'enroll') enrolled = created;
          else unenrolled = created;
        }
        await tx.run('sync/record-progress', { runId, enrolled, unenrolled, cancelled, diff: { memberCount: null, toEnroll: null, toUnenroll: null } });
        tx.unit.recordEvents([
          { type: 'SYNC_PROGRESS', runId, profileId, payload: { processed: processed + ids.length, total, phase, enrolled, unenrolled, cancelled } },
        ]);
      });
      processed += ids.length;
      await this.hooks.afterBatch?.({ runId, phase, done: processed, total });
    };
    for (const ids of batchesOf(plan.toCancel, this.batchSize)) await batch('cancel', ids);
    for (const ids of batchesOf(plan.toEnroll, this.batchSize)) await batch('enroll', ids);
    for (const ids of batchesOf(plan.toUnenroll, this.batchSize)) await batch('unenroll', ids);
  }

  private async setState(
    tx: Tx,
    runId: string,
    fromStates: SyncRunState[],
    state: SyncRunState,
    extra: { pauseReason?: string | null; failReason?: string | null; reviewedById?: string | null; reviewedAt?: string | null } = {},
  ): Promise<boolean> {
    const row = await tx.one('sync/set-run-state', {
      runId,
      fromStates,
      state,
      now: now(),
      pauseReason: extra.pauseReason ?? null,
      failReason: extra.failReason ?? null,
      reviewedById: extra.reviewedById ?? null,
      reviewedAt: extra.reviewedAt ?? null,
    });
    return row !== undefined;
  }

  /**
   * Ends the run and frees the lease; returns the run as it ended. `diff`, when given, is a diff
   * with nothing to do whose counts have not been recorded yet (they are, here, in the same transaction).
   */
  private async finish(runId: string, holder: string, profileId: string, state: 'COMPLETED', fromStates: SyncRunState[], diff: SyncDiff | null = null): Promise<SyncRunRecord | undefined> {
    const finished = await this.db.write(async (tx) => {
      await this.renewLease(tx, runId, holder, profileId);
      if (diff) {
        await tx.run('sync/record-progress', {
          runId,
          enrolled: 0,
          unenrolled: 0,
          cancelled: 0,
          diff: { memberCount: diff.memberCount, toEnroll: diff.toEnroll.length, toUnenroll: diff.toUnenroll.length },
        });
      }
      await this.setState(tx, runId, fromStates, state);
      const [run] = await syncReads.runsByIds(tx, [runId]);
      tx.unit.recordEvents([
        {
          type: 'SYNC_COMPLETED',
          runId,
          profileId,
          payload: { enrollTasksCreated: run?.enrollTasksCreated ?? 0, unenrollTasksCreated: run?.unenrollTasksCreated ?? 0, cancelledTasks: run?.cancelledTasks ?? 0 },
        },
      ]);
      recordAudit(tx, null, {
        action: 'SYNC_COMPLETED',
        subjectType: 'SyncRun',
        subjectId: runId,
        before: { state: 'RUNNING' },
        after: { profileId, state, enrollTasksCreated: run?.enrollTasksCreated ?? 0, unenrollTasksCreated: run?.unenrollTasksCreated ?? 0, cancelledTasks: run?.cancelledTasks ?? 0 },
      });
      await tx.run('sync/release-lease', { profileId, holder, now: now() });
      return run;
    });
    return finished;
  }

  /**
   * Records a failed run (with its SYNC_FAILED event) and frees its lease; returns the reason
   * recorded. A run that lost its lease is left to its successor, which marks it FAILED.
   */
  private async fail(runId: string, holder: string, profileId: string, error: unknown): Promise<string> {
    this.deps.logger.error('sync failed', { runId, profileId, message: (error as Error)?.message });
    if (error instanceof LeaseLostError) return 'it lost its lease to another run of the profile (its lease expired)';
    const reason = error instanceof AppError ? error.message : 'an internal error stopped it (the server log has the details)';
    try {
      await this.db.write(async (tx) => {
        const failed = await this.setState(tx, runId, ['RUNNING'], 'FAILED', { failReason: reason });
        if (failed) {
          tx.unit.recordEvents([{ type: 'SYNC_FAILED', runId, profileId, payload: { reason } }]);
          recordAudit(tx, null, { action: 'SYNC_FAILED', subjectType: 'SyncRun', subjectId: runId, before: { state: 'RUNNING' }, after: { profileId, state: 'FAILED', reason } });
        }
        await tx.run('sync/release-lease', { profileId, holder, now: now() });
      });
    } catch (recordError) {
      // The lease expires by itself, and the next run marks this one FAILED.
      this.deps.logger.error('could not record a failed sync', { runId, message: (recordError as Error)?.message });
    }
    return reason;
  }

  // ---------------------------------------------------------------- review of a paused run

  /** Applies a paused run's staged changes, each rechecked against the graph as it is now. */
  resume(runId: string, actor: Viewer | null): Promise<SyncRunRecord> {
    return this.running.track(this.runResume(runId, actor));
  }

  private async runResume(runId: string, actor: Viewer | null): Promise<SyncRunRecord> {
    const holder = `${runId}:resume:${newId()}`;
    const started = await this.db.write(async (tx) => {
      const [run] = await syncReads.runsByIds(tx, [runId]);
      if (!run) throw notFound('No such sync run');
      if (run.state !== 'PAUSED') throw conflict(`Only a PAUSED sync can be resumed; this one is ${run.state}`);
      const lease = await tx.one<{ acquired: boolean; runId: string }>('sync/acquire-lease', {
        profileId: run.profileId,
        holder,
        runId,
        nowMs: Date.now(),
        expiresAtMs: this.leaseExpiry(),
        now: now(),
      });
      if (!lease?.acquired) throw conflict('A sync of this profile is running', { reason: SYNC_RUNNING, syncRunId: lease ? encodeGlobalId('SyncRun', lease.runId) : null });
      const moved = await this.setState(tx, runId, ['PAUSED'], 'RUNNING', { reviewedById: actorIdOf(actor), reviewedAt: now() });
      if (!moved) throw conflict('The sync is no longer paused');
      const staged = await tx.one<{ toEnroll: string[]; toUnenroll: string[] }>('sync/staged-of-runs', { runIds: [runId] });
      tx.unit.recordEvents([{ type: 'SYNC_RESUMED', runId, profileId: run.profileId, payload: { by: actorIdOf(actor) } }]);
      recordAudit(tx, actor, {
        action: 'SYNC_RESUMED',
        subjectType: 'SyncRun',
        subjectId: runId,
        before: { state: 'PAUSED' },
        after: { profileId: run.profileId, state: 'RUNNING', stagedEnrollments: staged?.toEnroll.length ?? 0, stagedUnenrollments: staged?.toUnenroll.length ?? 0 },
      });
      return { profileId: run.profileId, toEnroll: staged?.toEnroll ?? [], toUnenroll: staged?.toUnenroll ?? [] };
    });
    const { profileId } = started;
    const finished = await this.failingRun(runId, holder, profileId, 'Resuming the sync failed', async () =>
      this.applyAndFinish(runId, holder, profileId, await this.diff(profileId), started, false),
    );
    return finished ?? this.run(runId);
  }

  /** Drops a paused run's staged changes (kept on the run for the record); automatic syncs go on. */
  async discard(runId: string, actor: Viewer | null): Promise<SyncRunRecord> {
    await this.db.write(async (tx) => {
      const [run] = await syncReads.runsByIds(tx, [runId]);
      if (!run) throw notFound('No such sync run');
      if (run.state !== 'PAUSED') throw conflict(`Only a PAUSED sync can be discarded; this one is ${run.state}`);
      const moved = await this.setState(tx, runId, ['PAUSED'], 'DISCARDED', { reviewedById: actorIdOf(actor), reviewedAt: now() });
      if (!moved) throw conflict('The sync is no longer paused');
      tx.unit.recordEvents([{ type: 'SYNC_DISCARDED', runId, profileId: run.profileId, payload: { by: actorIdOf(actor) } }]);
      recordAudit(tx, actor, { action: 'SYNC_DISCARDED', subjectType: 'SyncRun', subjectId: runId, before: { state: 'PAUSED' }, after: { profileId: run.profileId, state: 'DISCARDED' } });
    });
    return this.run(runId);
  }

  // ---------------------------------------------------------------- manual membership and exclusions

  private async requireUsers(userIds: string[]): Promise<void> {
    const missing = await this.db.read((tx) => tx.one<{ users: string[] }>('profiles/missing-ids', { userIds, entitlementIds: [], policyIds: [] }));
    if (missing && missing.users.length > 0) throw badInput(`Unknown users: ${missing.users.slice(0, 20).join(', ')}`);
  }

  private async profileOf(tx: Tx, profileId: string) {
    const [profile] = await directoryReads.profilesById(tx, [profileId]);
    if (!profile) throw notFound('No such access profile');
    return profile;
  }

  private async holdingState(tx: Tx, entitlementId: string, userIds: string[]) {
    const rows: { userId: string; holds: boolean; enrolledVia: string | null; openGrantTaskId: string | null; openRevokeTaskId: string | null }[] = [];
    for (const ids of batchesOf(userIds, this.batchSize)) rows.push(...(await tx.run<(typeof rows)[number]>('sync/holding-state-of-users', { entitlementId, userIds: ids })));
    return rows;
  }

  /**
   * enrollUsers: a MANUAL enrollment task for each user who is not a member (users need not match);
   * a member's pending unenrollment is cancelled instead. Returns the enrollment tasks (new or already open).
   */
  async enrollUsers(profileId: string, userIds: string[], actor: Viewer | null): Promise<TaskRecord[]> {
    const unique = [...new Set(userIds)];
    await this.requireUsers(unique);
    return this.db.write(async (tx) => {
      const profile = await this.profileOf(tx, profileId);
      const state = await this.holdingState(tx, profile.enrollmentEntitlementId, unique);
      await this.deps.tasks.cancelIn(
        tx,
        state.filter((s) => s.holds && s.openRevokeTaskId).map((s) => s.openRevokeTaskId!),
        'Superseded: an admin enrolled the user',
      );
      const requests: TaskRequest[] = state
        .filter((s) => !s.holds)
        .map((s) => ({
          kind: 'GRANT',
          origin: 'MANUAL_ENROLLMENT',
          userId: s.userId,
          entitlementId: profile.enrollmentEntitlementId,
          profileId,
          enrollVia: 'MANUAL',
          requestedById: actor?.userId ?? null,
        }));
      const created = await this.deps.tasks.createIn(tx, requests);
      recordAudit(tx, actor, { action: 'MEMBERS_ENROLLED', subjectType: 'AccessProfile', subjectId: profileId, after: { userIds: unique, enrollmentTasksCreated: created.created.length } });
      return this.deps.tasks.byIds(tx, [...created.created, ...created.existing]);
    });
  }

  /**
   * unenrollUsers: a REVOKE task (origin MANUAL_ENROLLMENT) of the enrollment entitlement for each
   * member, however they were enrolled; a non-member's pending enrollment is cancelled. Returns the
   * unenrollment tasks and the cancelled enrollment tasks.
   */
  async unenrollUsers(profileId: string, userIds: string[], actor: Viewer | null): Promise<TaskRecord[]> {
    const unique = [...new Set(userIds)];
    await this.requireUsers(unique);
    return this.db.write(async (tx) => {
      const profile = await this.profileOf(tx, profileId);
      const state = await this.holdingState(tx, profile.enrollmentEntitlementId, unique);
      const cancelled = await this.deps.tasks.cancelIn(
        tx,
        state.filter((s) => !s.holds && s.openGrantTaskId).map((s) => s.openGrantTaskId!),
        'Cancelled: an admin unenrolled the user',
      );
      const requests: TaskRequest[] = state
        .filter((s) => s.holds)
        .map((s) => ({
          kind: 'REVOKE',
          origin: 'MANUAL_ENROLLMENT',
          userId: s.userId,
          entitlementId: profile.enrollmentEntitlementId,
          profileId,
          requestedById: actor?.userId ?? null,
        }));
      const created = await this.deps.tasks.createIn(tx, requests);
      recordAudit(tx, actor, {
        action: 'MEMBERS_UNENROLLED',
        subjectType: 'AccessProfile',
        subjectId: profileId,
        after: { userIds: unique, unenrollmentTasksCreated: created.created.length, enrollmentTasksCancelled: cancelled.length },
      });
      return this.deps.tasks.byIds(tx, [...created.created, ...created.existing, ...cancelled]);
    });
  }

  /**
   * Exclusion list changes: an added user gets a request for the profile's exclusion entitlement
   * (a pending revoke of it is cancelled); a removed user's exclusion grant is revoked (a pending
   * request for it is cancelled). Origin EXCLUSION.
   */
  async exclusionsChanged(profileId: string, excludedAdded: string[], excludedRemoved: string[], actor: Viewer | null): Promise<void> {
    if (excludedAdded.length === 0 && excludedRemoved.length === 0) return;
    await this.db.write(async (tx) => {
      const profile = await this.profileOf(tx, profileId);
      const exclusion = profile.exclusionEntitlementId;
      const added = await this.holdingState(tx, exclusion, excludedAdded);
      const removed = await this.holdingState(tx, exclusion, excludedRemoved);
      await this.deps.tasks.cancelIn(
        tx,
        [
          ...added.filter((s) => s.openRevokeTaskId).map((s) => s.openRevokeTaskId!),
          ...removed.filter((s) => s.openGrantTaskId).map((s) => s.openGrantTaskId!),
        ],
        'Superseded: the excluded users list changed',
      );
      const base = { origin: 'EXCLUSION' as const, entitlementId: exclusion, profileId, requestedById: actor?.userId ?? null };
      await this.deps.tasks.createIn(tx, [
        ...added.filter((s) => !s.holds).map((s): TaskRequest => ({ ...base, kind: 'GRANT', userId: s.userId })),
        ...removed.filter((s) => s.holds).map((s): TaskRequest => ({ ...base, kind: 'REVOKE', userId: s.userId })),
      ]);
    });
  }

  /** The hook behind setMembershipAutomation: exclusions first, then (enabled) a sync at once. */
  async automationSaved(profileId: string, enabled: boolean, exclusions: { excludedAdded: string[]; excludedRemoved: string[] }, actor: Viewer | null, requestLater: (profileId: string) => void): Promise<void> {
    await this.exclusionsChanged(profileId, exclusions.excludedAdded, exclusions.excludedRemoved, actor);
    if (!enabled) return;
    try {
      await this.sync(profileId, 'AUTOMATION_SAVED', actor);
    } catch (error) {
      const code = error instanceof AppError ? error.extensions.code : null;
      // A running sync used the old settings: sync again once it is done. A paused one waits for review.
      if (isSyncRunning(error)) requestLater(profileId);
      else if (code !== 'SAFEGUARD_PAUSED') this.deps.logger.error('sync after saving the automation failed', { profileId, message: (error as Error).message });
    }
  }

  /** An automatic sync: a running or paused profile is not an error here. */
  isAutomatic(trigger: SyncTrigger): boolean {
    return AUTOMATIC.includes(trigger);
  }
}
