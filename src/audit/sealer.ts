/**
 * The audit chain's sealer: chains the entries that writes recorded as pending, after they
 * committed. One pass is one write transaction of two statements: it locks the chain head and
 * reads the pending entries under that lock (oldest first, a bounded page, never splitting one
 * write's entries), computes their seqs and hashes and turns them into chained entries. Many
 * writes' entries go in one pass, so the head's lock is taken once per pass instead of once per
 * write, and no write waits for it.
 *
 * Passes run on this instance one at a time: after a write with audit entries commits
 * (`request`), before the auditors read the log (`sealed`, so a read shows every entry committed
 * before it), and every CATCH_UP_MS to chain what an instance that crashed between its commit and
 * its pass left pending. Passes of several instances queue on the head's lock; whichever comes
 * second finds the entries chained already.
 */
import type { Database } from '../db/database.js';
import { now } from '../ids.js';
import type { Logger } from '../logger.js';
import { SerialPasses } from '../passes.js';
import { GENESIS_HASH, hashOf, type AuditActorKind, type AuditEntryRecord, type PendingEntry } from './trail.js';

/** How often each instance looks for entries left pending (an instance that crashed after commit). */
export const CATCH_UP_MS = 5_000;
/** Pending entries chained per pass at most (plus the rest of the last write's). */
const PAGE = 500;

export class AuditSealer {
  private readonly queue = new SerialPasses(() => this.sealAll());
  /** A write with entries committed since the last pass began: the next pass need not look first. */
  private committed = false;
  /** Entries chained by this instance since start: the benchmark prints it. */
  sealedCount = 0;
  passes = 0;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  get busy(): boolean {
    return this.queue.busy;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Starts the catch-up: a pass now (what a crash left) and every CATCH_UP_MS. */
  start(): void {
    this.queue.every(CATCH_UP_MS, () => this.catchUp());
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  /** A write with entries committed: chain them soon, without making anyone wait. */
  request(): void {
    if (this.queue.stopped) return;
    this.committed = true;
    this.catchUp();
  }

  /** A pass (after a look, unless a commit asked for it), its failure logged: the next one retries. */
  private catchUp(): void {
    if (this.queue.stopped) return;
    this.sealed().catch((error: Error) => this.logger.warn('audit: a sealing pass failed; the next one chains what it left', { message: error.message }));
  }

  /**
   * Resolves once a pass that started after this call has finished: every entry committed before
   * the call is chained (by this instance or another). Calls made while a pass runs share the one
   * queued after it.
   */
  sealed(): Promise<void> {
    return this.queue.next();
  }

  /**
   * Passes until nothing is pending; a read first, so an idle log costs no write, unless a write
   * with entries committed since the last pass began (then there is something to chain).
   */
  private async sealAll(): Promise<void> {
    for (;;) {
      const known = this.committed;
      this.committed = false;
      if (!known) {
        const pending = await this.db.read('audit.pending', (tx) => tx.one<{ pending: number }>('audit/count-pending'));
        if (Number(pending?.pending ?? 0) === 0) return;
      }
      const { sealed, full } = await this.pass();
      this.sealedCount += sealed;
      this.passes += 1;
      if (!full || sealed === 0) return;
    }
  }

  private async pass(): Promise<{ sealed: number; full: boolean }> {
    return this.db.write('audit.seal', async (tx) => {
      // The head locked and the entries to chain read under its lock, in one statement.
      const head = await tx.one<{ seq: number; lastHash: string; pending: { elementId: string; entry: PendingEntry }[] }>('audit/lock-chain', { now: now(), genesis: GENESIS_HASH, limit: PAGE });
      const fromSeq = Number(head?.seq ?? 0);
      const rows = head?.pending ?? [];
      if (rows.length === 0) return { sealed: 0, full: false };
      let seq = fromSeq;
      let prevHash = head?.lastHash ?? GENESIS_HASH;
      const entries = rows.map(({ elementId, entry }) => {
        seq += 1;
        const record: Omit<AuditEntryRecord, 'hash'> = {
          seq,
          at: entry.at,
          actorUserId: entry.actorUserId ?? null,
          actorTokenId: entry.actorTokenId ?? null,
          actorKind: entry.actorKind as AuditActorKind,
          action: entry.action,
          subjectType: entry.subjectType,
          subjectId: entry.subjectId ?? null,
          before: entry.before ?? null,
          after: entry.after ?? null,
          prevHash,
        };
        const hash = hashOf(record);
        const sealed = { elementId, seq, hash, prevHash };
        prevHash = hash;
        return sealed;
      });
      const done = await tx.one<{ sealed: number }>('audit/seal-entries', { fromSeq, lastSeq: seq, lastHash: prevHash, entries });
      // The head is locked by this pass, so neither can happen; if one did, nothing is kept.
      if (Number(done?.sealed ?? 0) !== entries.length) throw new Error(`audit: sealed ${done?.sealed ?? 0} of ${entries.length} pending entries; the pass is undone`);
      return { sealed: entries.length, full: rows.length >= PAGE };
    });
  }
}
