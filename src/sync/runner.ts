/**
 * The sync engine: compares who should be a member of a profile with who is (one set-based
 * statement per profile, cypher/sync/compute-diff), and acts on the difference (apply.ts) under a
 * lease in Neo4j (lease.ts), so that one profile never syncs twice at once, with the safeguard
 * (safeguard.ts) that pauses mass removals for review. Every change of a run's state goes through
 * the journal (journal.ts).
 */
import type { Viewer } from '../auth/viewer.js';
import { batchesOf, forEachConcurrently } from '../batches.js';
import type { Config } from '../config.js';
import type { Database, Tx } from '../db/database.js';
import { directoryReads } from '../directory/repository.js';
import { AppError, conflict } from '../errors.js';
import { encodeGlobalId, newId, noSuch } from '../ids.js';
import { InFlight } from '../in-flight.js';
import type { Logger } from '../logger.js';
import type { SettingsService } from '../settings/service.js';
import type { TaskService } from '../workflow/tasks.js';
import { applyChanges, type ApplyDeps, type SyncHooks } from './apply.js';
import { FailedRuns } from './failed-runs.js';
import { syncJournal } from './journal.js';
import { Refused, unlessRefused } from './refusal.js';
import { LeaseLostError, SyncLease, type RunRef } from './lease.js';
import type { SyncDiff, SyncOutcome, SyncRunRecord, SyncTrigger } from './records.js';
import { syncReads } from './repository.js';
import { safeguardVerdict } from './safeguard.js';

/**
 * Syncs of different profiles run side by side (an automatic round's, the runs with work of a
 * scheduled round): each is mostly waiting on Neo4j (its diff is a read; its writes queue only on
 * the event log's and audit chain's heads).
 */
export const SYNCS_AT_ONCE = 4;

/** Nothing to do: no enrollment or unenrollment among `changes` (the diff's own by default), no stale task in the diff. */
const nothingToDo = (diff: SyncDiff, changes: { toEnroll: string[]; toUnenroll: string[] } = diff): boolean =>
  changes.toEnroll.length === 0 && changes.toUnenroll.length === 0 && diff.staleEnrollTasks.length === 0 && diff.staleUnenrollTasks.length === 0;

/** What the sync engine uses. */
export interface SyncDeps {
  db: Database;
  config: Pick<Config, 'syncLeaseSeconds' | 'syncIntervalSeconds'>;
  logger: Logger;
  settings: SettingsService;
  tasks: TaskService;
}

/** The `reason` of the INTERNAL error of a sync that failed (it is recorded as FAILED). */
export const SYNC_FAILED = 'SYNC_FAILED';

export class SyncService {
  /** Rows per write transaction. */
  batchSize = 5000;
  /** Profiles a scheduled round starts, diffs and (when they have nothing to do) completes together. */
  roundSize = 25;
  hooks: SyncHooks = {};

  /** Runs under way in this process (a sync or a resume, however started): idle() waits for them. */
  private readonly running = new InFlight();
  private readonly lease: SyncLease;

  private readonly failedRuns: FailedRuns;

  constructor(private readonly deps: SyncDeps) {
    this.lease = new SyncLease(deps.config);
    this.failedRuns = new FailedRuns({ ...deps, lease: this.lease, track: (work) => void this.running.track(work) });
  }

  /** The app stops: background retries end. */
  stop(): void {
    this.failedRuns.stop();
  }

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

  private get applying(): ApplyDeps {
    return { db: this.db, lease: this.lease, tasks: this.deps.tasks, batchSize: this.batchSize, hooks: this.hooks };
  }

  // ---------------------------------------------------------------- reads

  async diff(profileId: string): Promise<SyncDiff> {
    const diff = (await this.diffs([profileId])).get(profileId);
    if (!diff) throw noSuch('AccessProfile', profileId);
    return diff;
  }

  /** The diffs of several profiles, read in one transaction (a profile that does not exist has none). */
  private async diffs(profileIds: readonly string[]): Promise<Map<string, SyncDiff>> {
    return this.db.read('sync.diff', async (tx) => {
      const settings = await this.deps.settings.safeguard(tx);
      const diffs = new Map<string, SyncDiff>();
      for (const profileId of profileIds) {
        const row = await tx.one<Omit<SyncDiff, 'profileId' | 'wouldPause' | 'pauseReason'>>('sync/compute-diff', { profileId });
        if (!row) continue;
        const pauseReason = safeguardVerdict(row.memberCount, row.toUnenroll.length, row.pauseOnAnomalies, settings);
        diffs.set(profileId, { ...row, profileId, wouldPause: pauseReason !== null, pauseReason });
      }
      return diffs;
    });
  }

  async run(runId: string): Promise<SyncRunRecord> {
    const run = await this.findRun(runId);
    if (!run) throw noSuch('SyncRun', runId);
    return run;
  }

  private async findRun(runId: string): Promise<SyncRunRecord | undefined> {
    return (await this.db.read('sync.run', (tx) => syncReads.runsByIds(tx, [runId])))[0];
  }

  // ---------------------------------------------------------------- running a sync

  /**
   * Runs one sync of a profile to its end (COMPLETED, PAUSED or FAILED, which throws) and returns
   * the run, or why none started. Only one runs per profile at a time, across instances: the lease
   * is taken in the same transaction that creates the run.
   */
  sync(profileId: string, trigger: SyncTrigger, actor: Viewer | null): Promise<SyncOutcome> {
    return this.running.track(
      (async (): Promise<SyncOutcome> => {
        const begun = await this.begin(profileId, trigger, actor);
        if (begun instanceof Refused) return begun.outcome;
        return { kind: 'run', run: await this.work(begun) };
      })(),
    );
  }

  /**
   * "Sync now": starts a sync and answers at once with the run RUNNING; it goes on in the
   * background (its progress on the run and in SYNC_PROGRESS events). When a sync of the profile
   * is already running, answers with that run: whatever changed after it started marked the
   * profile, so its end starts a further pass.
   */
  async start(profileId: string, trigger: SyncTrigger, actor: Viewer | null): Promise<SyncOutcome> {
    const begun = await this.running.track(this.begin(profileId, trigger, actor));
    if (begun instanceof Refused) {
      const refused = begun.outcome;
      if (refused.kind !== 'busy' || refused.runningRunId === null) return refused;
      const running = await this.findRun(refused.runningRunId);
      return running ? { kind: 'run', run: running } : refused;
    }
    // The run as it started (RUNNING), read before its work begins; the failure of the work is recorded on the run.
    const run = await this.run(begun.runId);
    void this.running.track(
      this.work(begun).catch((error: unknown) => this.deps.logger.warn('a sync started by Sync now failed', { runId: begun.runId, message: (error as Error).message })),
    );
    return { kind: 'run', run };
  }

  /**
   * The syncs of a scheduled round, set-based: the profiles go in parts of `roundSize`, and each
   * part's runs start in one transaction, their diffs are read in one, and the runs with nothing to
   * do complete in one (the reconciliation of an organisation whose graph did not change is a few
   * transactions per part, not three per profile). A run with work to do, or that pauses, goes on
   * alone as sync() would run it; a profile that sync() would refuse (busy, paused, disabled,
   * deleted) is left out. Every run is recorded, with its events and audit entries, as sync()
   * records it. Returns the runs that ran, by profile.
   */
  syncMany(profileIds: readonly string[], trigger: SyncTrigger): Promise<Map<string, SyncRunRecord>> {
    return this.running.track(
      (async () => {
        const runs = new Map<string, SyncRunRecord>();
        await forEachConcurrently(batchesOf(profileIds, this.roundSize), SYNCS_AT_ONCE, async (part) => {
          for (const run of await this.syncPart(part, trigger)) runs.set(run.profileId, run);
        });
        return runs;
      })(),
    );
  }

  private async syncPart(profileIds: string[], trigger: SyncTrigger): Promise<SyncRunRecord[]> {
    let started: RunRef[];
    try {
      started = await this.beginMany(profileIds, trigger);
    } catch (error) {
      // Nothing started (the transaction rolled back): the next round, or a change, syncs them.
      this.deps.logger.warn('a scheduled round could not start its runs', { profiles: profileIds.length, message: (error as Error).message });
      return [];
    }
    if (started.length === 0) return [];
    let diffs: Map<string, SyncDiff>;
    try {
      for (const ref of started) await this.hooks.afterStart?.(ref.runId);
      diffs = await this.diffs(started.map((ref) => ref.profileId));
    } catch {
      // Each run on its own (its hook has run): its failure is recorded on it (failingRun).
      return this.eachAlone(started, (ref) => this.workWith(ref, null, false));
    }
    const idle: { ref: RunRef; diff: SyncDiff }[] = [];
    const busy: { ref: RunRef; diff: SyncDiff | undefined }[] = [];
    for (const ref of started) {
      const diff = diffs.get(ref.profileId);
      if (diff && !diff.wouldPause && nothingToDo(diff)) idle.push({ ref, diff });
      else busy.push({ ref, diff });
    }
    const [completed, worked] = await Promise.all([
      this.completeIdle(idle),
      this.eachAlone(busy, ({ ref, diff }) => (diff ? this.workWith(ref, diff) : this.work(ref))),
    ]);
    return [...completed, ...worked];
  }

  /** Runs each item's work with at most SYNCS_AT_ONCE at once; a failed run (recorded FAILED) is left out. */
  private async eachAlone<T>(items: T[], work: (item: T) => Promise<SyncRunRecord>): Promise<SyncRunRecord[]> {
    const runs: SyncRunRecord[] = [];
    await forEachConcurrently(items, SYNCS_AT_ONCE, async (item) => {
      try {
        runs.push(await work(item));
      } catch {
        // Recorded on the run and logged by failingRun.
      }
    });
    return runs;
  }

  /**
   * Starts the runs of several profiles in one transaction, in the order given: each profile's
   * lease, then (when it is free and no paused run waits) its new RUNNING run; a profile that is
   * deleted, disabled, busy or paused is skipped (a paused one's lease, taken to read its state
   * under it, is released in the same transaction).
   */
  private async beginMany(profileIds: string[], trigger: SyncTrigger): Promise<RunRef[]> {
    return this.db.write('sync.startMany', async (tx) => {
      const started: RunRef[] = [];
      const profiles = new Map((await directoryReads.profilesById(tx, profileIds)).map((p) => [p.id, p]));
      for (const profileId of profileIds) {
        if (!profiles.get(profileId)?.automationEnabled) continue;
        const runId = newId();
        const ref: RunRef = { runId, holder: runId, profileId };
        if (!(await this.lease.acquire(tx, ref)).acquired) continue;
        if (await tx.one<{ id: string }>('sync/paused-run-of-profile', { profileId })) {
          await this.lease.release(tx, ref);
          continue;
        }
        await syncJournal.started(tx, ref, trigger, null);
        started.push(ref);
      }
      return started;
    });
  }

  /**
   * Completes runs whose diff found nothing to do, in one transaction (as applyAndFinish completes
   * one). Should that transaction fail (a lease lost, a blip), each run is completed on its own,
   * so that one run's failure is recorded on that run alone.
   */
  private async completeIdle(idle: { ref: RunRef; diff: SyncDiff }[]): Promise<SyncRunRecord[]> {
    if (idle.length === 0) return [];
    let finished: { run: SyncRunRecord | undefined; needed: boolean; profileId: string }[];
    try {
      finished = await this.db.write('sync.completeMany', async (tx) => {
        const rows: { run: SyncRunRecord | undefined; needed: boolean; profileId: string }[] = [];
        for (const { ref, diff } of idle) rows.push({ ...(await this.finishIn(tx, ref, diff)), profileId: ref.profileId });
        return rows;
      });
    } catch {
      return this.eachAlone(idle, ({ ref, diff }) => this.workWith(ref, diff));
    }
    for (const row of finished) if (row.needed) this.followUp(row.profileId);
    return finished.flatMap((row) => (row.run ? [row.run] : []));
  }

  /** The start transaction: the lease, then the new RUNNING run; a refusal rolls it back. */
  private async begin(profileId: string, trigger: SyncTrigger, actor: Viewer | null): Promise<RunRef | Refused> {
    const runId = newId();
    const ref: RunRef = { runId, holder: runId, profileId };
    const refused = await unlessRefused(
      this.db.write('sync.start', async (tx) => {
        const [profile] = await directoryReads.profilesById(tx, [profileId]);
        if (!profile) throw noSuch('AccessProfile', profileId);
        if (!profile.automationEnabled) throw new Refused({ kind: 'disabled' });
        const lease = await this.lease.acquire(tx, ref);
        if (!lease.acquired) throw new Refused({ kind: 'busy', runningRunId: lease.heldByRunId });
        const paused = await tx.one<{ id: string }>('sync/paused-run-of-profile', { profileId });
        if (paused) throw new Refused({ kind: 'paused', pausedRunId: paused.id });
        await syncJournal.started(tx, ref, trigger, actor);
      }),
    );
    return refused instanceof Refused ? refused : ref;
  }

  /** A started run's work to its end: the diff, then the changes or the pause; returns the run as it ended. */
  private async work(ref: RunRef): Promise<SyncRunRecord> {
    return this.workWith(ref, null);
  }

  /** A started run's work, from its diff when it was read already (a scheduled round's); `hook`: call afterStart first. */
  private async workWith(ref: RunRef, known: SyncDiff | null, hook = known === null): Promise<SyncRunRecord> {
    const run = await this.failingRun(ref, 'The sync failed', async () => {
      if (hook) await this.hooks.afterStart?.(ref.runId);
      const diff = known ?? (await this.diff(ref.profileId));
      if (!diff.wouldPause) return this.applyAndFinish(ref, diff, diff, true);
      await this.pause(ref, diff);
      return undefined;
    });
    return run ?? (await this.run(ref.runId));
  }

  /** A further pass: something the profile's sync depends on changed while a run was under way. */
  private followUp(profileId: string): void {
    void this.sync(profileId, 'FOLLOW_UP', null).catch((error: unknown) =>
      this.deps.logger.warn('a follow-up sync failed', { profileId, message: (error as Error).message }),
    );
  }

  /**
   * Runs a started run's work; any error marks the run FAILED and reaches the caller as a coded
   * error that says what redoes the work (the reason is on the run and on its SYNC_FAILED event).
   */
  private async failingRun<T>(ref: RunRef, message: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const reason = await this.fail(ref, error);
      if (error instanceof AppError) throw error;
      throw new AppError('INTERNAL', `${message}: ${reason}. ${this.redoneBy()}`, { syncRunId: encodeGlobalId('SyncRun', ref.runId), reason: SYNC_FAILED });
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
  private async applyAndFinish(ref: RunRef, diff: SyncDiff, changes: { toEnroll: string[]; toUnenroll: string[] }, recordDiff: boolean): Promise<SyncRunRecord | undefined> {
    const toCancel = [...diff.staleEnrollTasks, ...diff.staleUnenrollTasks];
    const idle = nothingToDo(diff, changes);
    if (!idle) {
      // The diff's counts are recorded by the first batch's transaction (no transaction of their own).
      const counts = recordDiff ? diff : null;
      await applyChanges(this.applying, ref, { enrollmentEntitlementId: diff.enrollmentEntitlementId, mode: diff.mode, toEnroll: changes.toEnroll, toUnenroll: changes.toUnenroll, toCancel, counts });
    }
    const finished = await this.db.write('sync.complete', (tx) => this.finishIn(tx, ref, idle && recordDiff ? diff : null));
    // Something this run may not have seen changed while it ran: one more pass.
    if (finished.needed) this.followUp(ref.profileId);
    return finished.run;
  }

  /**
   * A run's end, in the caller's transaction: the run COMPLETED (with `idleDiff`'s counts when it
   * had nothing to do), the lease freed; `needed`: the profile was marked while it ran.
   */
  private async finishIn(tx: Tx, ref: RunRef, idleDiff: SyncDiff | null): Promise<{ run: SyncRunRecord | undefined; needed: boolean }> {
    await this.lease.renew(tx, ref);
    // Reviewers' decisions that no longer hold end here (a denied user stopped matching, a kept member matches again).
    await tx.run('sync/clear-stale-decisions', { profileId: ref.profileId });
    const run = await syncJournal.completed(tx, ref, idleDiff);
    const needed = (await tx.one<{ needed: boolean }>('sync/needs-sync', { profileId: ref.profileId }))?.needed ?? false;
    await this.lease.release(tx, ref);
    return { run, needed };
  }

  private async recordDiff(ref: RunRef, diff: SyncDiff): Promise<void> {
    await this.db.write('sync.recordDiff', async (tx) => {
      await this.lease.renew(tx, ref);
      await syncJournal.counted(tx, ref.runId, diff);
    });
  }

  /** The safeguard tripped: stage the lists on the run (no task written), mark it PAUSED, free the lease. */
  private async pause(ref: RunRef, diff: SyncDiff): Promise<void> {
    await this.recordDiff(ref, diff);
    const enroll = batchesOf(diff.toEnroll, this.batchSize);
    const unenroll = batchesOf(diff.toUnenroll, this.batchSize);
    for (let i = 0; i < Math.max(enroll.length, unenroll.length); i += 1) {
      await this.db.write('sync.stage', async (tx) => {
        await this.lease.renew(tx, ref);
        await syncJournal.staged(tx, ref.runId, enroll[i] ?? [], unenroll[i] ?? []);
      });
    }
    await this.db.write('sync.pause', async (tx) => {
      await this.lease.renew(tx, ref);
      await syncJournal.paused(tx, ref, diff);
      await this.lease.release(tx, ref);
    });
  }

  /**
   * Records a failed run (with its SYNC_FAILED event) and frees its lease; returns the reason
   * recorded. A run that lost its lease is left to its successor, which marks it FAILED.
   */
  private async fail(ref: RunRef, error: unknown): Promise<string> {
    this.deps.logger.error('sync failed', { runId: ref.runId, profileId: ref.profileId, message: (error as Error)?.message });
    if (error instanceof LeaseLostError) return 'it lost its lease to another run of the profile (its lease expired)';
    const reason = error instanceof AppError ? error.message : 'an internal error stopped it (the server log has the details)';
    // If Neo4j cannot be reached, the record (and the lease's release) is retried until it can (failed-runs.ts).
    await this.failedRuns.record(ref, reason);
    return reason;
  }

  // ---------------------------------------------------------------- review of a paused run

  /** Applies a paused run's staged changes, each rechecked against the graph as it is now. */
  resume(runId: string, actor: Viewer | null): Promise<Extract<SyncOutcome, { kind: 'run' | 'busy' }>> {
    return this.running.track(this.runResume(runId, actor));
  }

  private async runResume(runId: string, actor: Viewer | null): Promise<Extract<SyncOutcome, { kind: 'run' | 'busy' }>> {
    const holder = `${runId}:resume:${newId()}`;
    const started = await unlessRefused(
      this.db.write('sync.resume', async (tx) => {
        const [run] = await syncReads.runsByIds(tx, [runId]);
        if (!run) throw noSuch('SyncRun', runId);
        if (run.state !== 'PAUSED') throw conflict(`Only a PAUSED sync can be resumed; this one is ${run.state}`);
        const ref: RunRef = { runId, holder, profileId: run.profileId };
        const lease = await this.lease.acquire(tx, ref);
        if (!lease.acquired) throw new Refused({ kind: 'busy', runningRunId: lease.heldByRunId });
        const staged = (await tx.one<{ toEnroll: string[]; toUnenroll: string[] }>('sync/staged-of-runs', { runIds: [runId] })) ?? { toEnroll: [], toUnenroll: [] };
        if (!(await syncJournal.resumed(tx, ref, staged, actor))) throw conflict('The sync is no longer paused');
        return { ref, staged };
      }),
    );
    if (started instanceof Refused) return started.outcome as { kind: 'busy'; runningRunId: string | null };
    const { ref, staged } = started;
    const run = await this.failingRun(ref, 'Resuming the sync failed', async () => this.applyAndFinish(ref, await this.diff(ref.profileId), staged, false));
    return { kind: 'run', run: run ?? (await this.run(runId)) };
  }

  /** Drops a paused run's staged changes (kept on the run for the record); automatic syncs go on. */
  async discard(runId: string, actor: Viewer | null): Promise<SyncRunRecord> {
    await this.db.write('sync.discard', async (tx) => {
      const [run] = await syncReads.runsByIds(tx, [runId]);
      if (!run) throw noSuch('SyncRun', runId);
      if (run.state !== 'PAUSED') throw conflict(`Only a PAUSED sync can be discarded; this one is ${run.state}`);
      if (!(await syncJournal.discarded(tx, runId, run.profileId, actor))) throw conflict('The sync is no longer paused');
    });
    return this.run(runId);
  }
}
