/**
 * What starts automatic syncs: changes of who holds a condition entitlement (ingest, completed
 * tasks), which sync the profiles concerned within SYNC_DEBOUNCE_MS, a burst of changes coalesced
 * into one sync per profile; and the schedule as the safety net (every SYNC_INTERVAL_SECONDS, each
 * enabled profile marked "needs sync", and each not synced for SYNC_RECONCILE_SECONDS). The lease
 * in Neo4j, not this class, keeps two syncs of a profile apart.
 */
import { forEachConcurrently } from '../batches.js';
import { AppError } from '../errors.js';
import { InFlight } from '../in-flight.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { SyncTrigger } from './records.js';
import { SYNCS_AT_ONCE, type SyncService } from './runner.js';

/** What the triggers use: the database (whose commits they follow) and the timings. */
export interface TriggerDeps {
  db: Database;
  config: Pick<Config, 'syncIntervalSeconds' | 'syncDebounceMs' | 'syncReconcileSeconds'>;
  logger: Logger;
}

export class SyncTriggers {
  private readonly changedEntitlements = new Set<string>();
  /** Profiles to sync at the next flush: a sync that found another running comes back here. */
  private readonly profilesToRetry = new Set<string>();
  private windowTimer: NodeJS.Timeout | null = null;
  private scheduleTimer: NodeJS.Timeout | null = null;
  private scheduling = false;
  private stopped = false;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly deps: TriggerDeps,
    private readonly sync: SyncService,
  ) {}

  start(): void {
    // Each committed write that changed who holds some entitlements (ingest, completed tasks).
    this.deps.db.onCommitted((unit) => this.holdersChanged([...unit.changedEntitlementIds]));
    this.scheduleTimer = setInterval(() => this.track(this.scheduledRound()), this.deps.config.syncIntervalSeconds * 1000);
    this.scheduleTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.windowTimer) clearTimeout(this.windowTimer);
    if (this.scheduleTimer) clearInterval(this.scheduleTimer);
    this.windowTimer = null;
    this.scheduleTimer = null;
    await this.inFlight.idle();
  }

  /** True while an automatic sync runs or a change waits for its flush. */
  get busy(): boolean {
    return this.inFlight.busy || (this.windowTimer !== null && this.pending);
  }

  /** Resolves once every automatic sync started so far has ended (tests and the benchmark wait on it). */
  async idle(): Promise<void> {
    while (this.busy) {
      await this.inFlight.idle();
      if (this.busy && !this.inFlight.busy) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  holdersChanged(entitlementIds: string[]): void {
    if (this.stopped || entitlementIds.length === 0) return;
    for (const id of entitlementIds) this.changedEntitlements.add(id);
    this.changed();
  }

  /** Syncs the profile at the next flush (after a sync that found the profile busy). */
  requestSync(profileId: string): void {
    if (this.stopped) return;
    this.profilesToRetry.add(profileId);
    this.changed();
  }

  private get pending(): boolean {
    return this.changedEntitlements.size > 0 || this.profilesToRetry.size > 0;
  }

  /**
   * Leading and trailing edge: the first change of a burst flushes at once and opens a window of
   * SYNC_DEBOUNCE_MS; the changes within the window wait for its end and flush together (one sync
   * per profile), which opens the next window. So no change waits longer than the debounce, and a
   * lone change waits for nothing.
   */
  private changed(): void {
    if (this.windowTimer !== null) return;
    this.flushNow();
  }

  private flushNow(): void {
    this.windowTimer = setTimeout(() => {
      this.windowTimer = null;
      if (this.pending && !this.stopped) this.flushNow();
    }, this.deps.config.syncDebounceMs);
    this.windowTimer.unref();
    this.track(this.flush());
  }

  private track(work: Promise<unknown>): void {
    void this.inFlight.track(work);
  }

  private async flush(): Promise<void> {
    const entitlementIds = [...this.changedEntitlements];
    this.changedEntitlements.clear();
    const profileIds = new Set(this.profilesToRetry);
    this.profilesToRetry.clear();
    try {
      if (entitlementIds.length > 0) {
        const rows = await this.deps.db.read('sync.flush', (tx) => tx.run<{ id: string }>('sync/profiles-with-condition', { entitlementIds }));
        for (const row of rows) profileIds.add(row.id);
      }
    } catch (error) {
      this.deps.logger.error('could not find the profiles to sync', { message: (error as Error).message });
      for (const id of entitlementIds) this.changedEntitlements.add(id);
      for (const id of profileIds) this.profilesToRetry.add(id);
      this.changed();
      return;
    }
    await forEachConcurrently(profileIds, SYNCS_AT_ONCE, async (profileId) => {
      if (!this.stopped) await this.runAutomatic(profileId, 'HOLDERS_CHANGED', true);
    });
  }

  /**
   * One scheduled round: the profiles marked "needs sync" and those due their full reconciliation
   * (`reconcileBeforeMs`, default: not synced for SYNC_RECONCILE_SECONDS). Run by the timer; the
   * benchmark calls it to time a round.
   */
  async scheduledRound(reconcileBeforeMs = Date.now() - this.deps.config.syncReconcileSeconds * 1000): Promise<void> {
    if (this.scheduling || this.stopped) return;
    this.scheduling = true;
    try {
      // Profiles marked "needs sync", and those due their full reconciliation (the safety net).
      const rows = await this.deps.db.read('sync.scheduledRound', (tx) => tx.run<{ id: string }>('sync/enabled-profiles', { reconcileBeforeMs }));
      // Set-based: a profile with nothing to do costs a share of a few transactions (runner.ts syncMany).
      if (!this.stopped) await this.sync.syncMany(rows.map((row) => row.id), 'SCHEDULE');
    } catch (error) {
      this.deps.logger.error('scheduled sync round failed', { message: (error as Error).message });
    } finally {
      this.scheduling = false;
    }
  }

  /** Runs an automatic sync; a profile that is busy is retried (for a change) or skipped (schedule). */
  private async runAutomatic(profileId: string, trigger: SyncTrigger, retryWhenBusy: boolean): Promise<void> {
    try {
      const outcome = await this.sync.sync(profileId, trigger, null);
      // The running sync may have read the graph before this change: sync again after it. A
      // paused profile waits for its review, a disabled one for its automation.
      if (outcome.kind === 'busy' && retryWhenBusy) this.requestSync(profileId);
    } catch (error) {
      // Deleted since: nothing to sync. A failed run is recorded as FAILED, and the next sync redoes it.
      if (error instanceof AppError && error.extensions.code === 'NOT_FOUND') return;
      this.deps.logger.error('automatic sync failed', { profileId, trigger, message: (error as Error).message });
    }
  }
}
