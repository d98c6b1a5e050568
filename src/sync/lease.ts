/**
 * The lease that keeps two syncs of one profile apart, across instances: one `(:SyncLease)` node
 * per profile, never deleted, write-locked by every statement before it reads the holder
 * (cypher/sync/*-lease). A run renews it in each of its transactions, so a run whose lease expired
 * and was taken over stops at its next write.
 */
import type { Config } from '../config.js';
import type { Tx } from '../db/database.js';
import { now } from '../ids.js';

/** A run as the lease knows it: the run, the lease's holder (one per run or resume) and the profile. */
export interface RunRef {
  runId: string;
  holder: string;
  profileId: string;
}

/** The run lost its lease (it expired and another instance took it over): stop writing at once. */
export class LeaseLostError extends Error {
  constructor(readonly runId: string) {
    super(`sync run ${runId} lost its lease`);
  }
}

export class SyncLease {
  constructor(private readonly config: Pick<Config, 'syncLeaseSeconds'>) {}

  private expiry(): number {
    return Date.now() + this.config.syncLeaseSeconds * 1000;
  }

  /** Takes the lease for the run when it is free or expired; otherwise says whose run holds it. */
  async acquire(tx: Tx, ref: RunRef): Promise<{ acquired: boolean; heldByRunId: string | null }> {
    const row = await tx.one<{ acquired: boolean; runId: string | null }>('sync/acquire-lease', {
      profileId: ref.profileId,
      holder: ref.holder,
      runId: ref.runId,
      nowMs: Date.now(),
      expiresAtMs: this.expiry(),
      now: now(),
    });
    return { acquired: row?.acquired ?? false, heldByRunId: row?.runId ?? null };
  }

  /** Pushes the expiry on; throws LeaseLostError when another run holds the lease now. */
  async renew(tx: Tx, ref: RunRef): Promise<void> {
    const row = await tx.one<{ held: boolean }>('sync/renew-lease', { profileId: ref.profileId, holder: ref.holder, expiresAtMs: this.expiry() });
    if (!row?.held) throw new LeaseLostError(ref.runId);
  }

  /** Frees the lease if the run still holds it (a release after a takeover frees nothing). */
  async release(tx: Tx, ref: RunRef): Promise<void> {
    await tx.run('sync/release-lease', { profileId: ref.profileId, holder: ref.holder, now: now() });
  }
}
