/**
 * The audit trail's read side: the auditors' filtered, paginated query and the chain's
 * verification. Both chain what is pending first, so they show every entry committed before them.
 */
import type { Database, Tx } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { AuditSealer } from './sealer.js';
import { GENESIS_HASH, hashOf, type AuditActorKind, type AuditEntryRecord } from './trail.js';

export interface AuditFilter {
  action?: string | null;
  actorUserId?: string | null;
  actorKind?: AuditActorKind | null;
  subjectType?: string | null;
  subjectId?: string | null;
  from?: string | null;
  to?: string | null;
}

export type AuditProblem = 'HASH_MISMATCH' | 'CHAIN_BROKEN' | 'MISSING_ENTRY' | 'HEAD_MISMATCH';

export interface AuditVerification {
  ok: boolean;
  /** Entries whose hash was recomputed. */
  checked: number;
  /** The chain head's seq when the verification started. */
  headSeq: number;
  /** The first seq where the chain breaks: an edited entry, or where a deleted one was. */
  firstBrokenSeq: number | null;
  problem: AuditProblem | null;
  /** Entries committed but not chained yet when the verification ended (normally 0). */
  pending: number;
}

function filterParams(filter: AuditFilter) {
  return {
    action: filter.action ?? null,
    actorUserId: filter.actorUserId ?? null,
    actorKind: filter.actorKind ?? null,
    subjectType: filter.subjectType ?? null,
    subjectId: filter.subjectId ?? null,
    from: filter.from ?? null,
    to: filter.to ?? null,
  };
}

function parseEntry(row: Partial<AuditEntryRecord>): AuditEntryRecord {
  return {
    seq: Number(row.seq),
    at: String(row.at),
    actorUserId: row.actorUserId ?? null,
    actorTokenId: row.actorTokenId ?? null,
    actorKind: (row.actorKind ?? 'SYSTEM') as AuditActorKind,
    action: String(row.action),
    subjectType: String(row.subjectType),
    subjectId: row.subjectId ?? null,
    before: row.before ?? null,
    after: row.after ?? null,
    hash: String(row.hash ?? ''),
    prevHash: String(row.prevHash ?? ''),
  };
}

export class AuditService {
  /** Entries rehashed per read transaction by verify(). */
  verifyPageSize = 5000;

  constructor(
    private readonly db: Database,
    readonly sealer: AuditSealer,
    private readonly logger: Logger,
  ) {}

  /** Chains what is pending; a failure leaves it pending (the next pass chains it) and is logged. */
  private async sealed(): Promise<void> {
    try {
      await this.sealer.sealed();
    } catch (error) {
      this.logger.warn('audit: entries could not be chained before a read; it shows the chained ones', { message: (error as Error).message });
    }
  }

  /** Up to `limit` entries older than `beforeSeq` (null: the newest), newest first. */
  async list(filter: AuditFilter, beforeSeq: number | null, limit: number): Promise<{ entries: AuditEntryRecord[]; total: number }> {
    await this.sealed();
    return this.db.read('audit.list', async (tx) => {
      const params = filterParams(filter);
      const rows = await tx.run<{ entry: Partial<AuditEntryRecord> }>('audit/list-audit-entries', { ...params, before: beforeSeq ?? Number.MAX_SAFE_INTEGER, limit });
      const count = await tx.one<{ total: number }>('audit/count-audit-entries', params);
      return { entries: rows.map((r) => parseEntry(r.entry)), total: Number(count?.total ?? 0) };
    });
  }

  async head(tx?: Tx): Promise<{ seq: number; lastHash: string }> {
    const read = async (t: Tx) => t.one<{ seq: number; lastHash: string }>('audit/chain-head');
    const row = tx ? await read(tx) : await this.db.read('audit.read', read);
    return { seq: Number(row?.seq ?? 0), lastHash: row?.lastHash ?? GENESIS_HASH };
  }

  /**
   * Walks the chain from the first entry to the head (as it was when the walk began) in bounded
   * pages, recomputing every hash. An edited entry no longer matches its hash; a deleted one
   * leaves a gap in seq (or, deleted at the end, a chain that stops short of the head).
   */
  async verify(): Promise<AuditVerification> {
    await this.sealed();
    const head = await this.head();
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    const result = async (ok: boolean, firstBrokenSeq: number | null, problem: AuditProblem | null): Promise<AuditVerification> => ({
      ok,
      checked,
      headSeq: head.seq,
      firstBrokenSeq,
      problem,
      pending: await this.pendingCount(),
    });
    const broken = (seq: number, problem: AuditProblem) => result(false, seq, problem);
    while (expectedSeq <= head.seq) {
      const rows = await this.db.read('audit.broken', (tx) =>
        tx.run<{ entry: Partial<AuditEntryRecord> }>('audit/read-chain', { after: expectedSeq - 1, upTo: head.seq, limit: this.verifyPageSize }),
      );
      if (rows.length === 0) break;
      for (const { entry: row } of rows) {
        const entry = parseEntry(row);
        if (entry.seq !== expectedSeq) return broken(expectedSeq, 'MISSING_ENTRY');
        if (entry.prevHash !== prevHash) return broken(entry.seq, 'CHAIN_BROKEN');
        if (hashOf(entry) !== entry.hash) return broken(entry.seq, 'HASH_MISMATCH');
        checked += 1;
        prevHash = entry.hash;
        expectedSeq += 1;
      }
    }
    if (expectedSeq <= head.seq) return broken(expectedSeq, 'MISSING_ENTRY');
    if (head.seq > 0 && prevHash !== head.lastHash) return broken(head.seq, 'HEAD_MISMATCH');
    return result(true, null, null);
  }

  /** Entries committed and not chained yet. */
  async pendingCount(): Promise<number> {
    const row = await this.db.read('audit.pending', (tx) => tx.one<{ pending: number }>('audit/count-pending'));
    return Number(row?.pending ?? 0);
  }
}
