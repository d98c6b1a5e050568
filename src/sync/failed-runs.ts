/**
 * Recording a failed run: FAILED with its reason (and its SYNC_FAILED event), and its lease freed,
 * so that the next sync of the profile starts at once. When the run failed because Neo4j could not
 * be reached, that record cannot be written either: the instance, which lives on, retries it in
 * the background until Neo4j answers again, rather than leave the profile locked until the lease
 * expires (SYNC_LEASE_SECONDS). It gives up once the lease has expired anyway (the next run of the
 * profile then marks this one FAILED) or when the app stops.
 */
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { syncJournal } from './journal.js';
import type { SyncLease, RunRef } from './lease.js';

/** The first wait before a retry, and the longest (the waits double in between). */
const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5_000;

export interface FailedRunDeps {
  db: Database;
  logger: Logger;
  config: Pick<Config, 'syncLeaseSeconds'>;
  lease: SyncLease;
  /** Keeps the background retries among the work idle() waits for. */
  track: (work: Promise<unknown>) => void;
}

export class FailedRuns {
  private stopped = false;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly deps: FailedRunDeps) {}

  /** Records the run FAILED and frees its lease now, or, if that write fails, keeps retrying it in the background. */
  async record(ref: RunRef, reason: string): Promise<void> {
    const written = await this.write(ref, reason);
    // Only an unreachable Neo4j is waited out; any other failure leaves the lease to expire, as before.
    if (written === 'unavailable') this.deps.track(this.retry(ref, reason));
  }

  /** The app stops: pending retries end (the lease expires by itself). */
  stop(): void {
    this.stopped = true;
    for (const wake of this.wakers) wake();
  }

  private async write(ref: RunRef, reason: string): Promise<'written' | 'unavailable' | 'failed'> {
    try {
      await this.deps.db.write('sync.fail', async (tx) => {
        await syncJournal.failed(tx, ref, reason);
        await this.deps.lease.release(tx, ref);
      });
      return 'written';
    } catch (error) {
      const unavailable = error instanceof AppError && error.extensions.code === 'SERVICE_UNAVAILABLE';
      // The lease expires by itself, and the next run marks this one FAILED.
      this.deps.logger.warn(unavailable ? 'could not record a failed sync yet: Neo4j is unavailable' : 'could not record a failed sync', { runId: ref.runId, message: (error as Error)?.message });
      return unavailable ? 'unavailable' : 'failed';
    }
  }

  private async retry(ref: RunRef, reason: string): Promise<void> {
    const giveUpAt = Date.now() + this.deps.config.syncLeaseSeconds * 1000;
    for (let wait = FIRST_RETRY_MS; !this.stopped && Date.now() < giveUpAt; wait = Math.min(wait * 2, LONGEST_RETRY_MS)) {
      await this.sleep(wait);
      if (this.stopped) return;
      const written = await this.write(ref, reason);
      if (written === 'written') this.deps.logger.info('recorded a failed sync once Neo4j answered again', { runId: ref.runId });
      if (written !== 'unavailable') return;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.wakers.add(wake);
    });
  }
}
