/** Reads of sync runs: named Cypher in, run records out. */
import type { Tx } from '../db/database.js';
import type { SyncRunRecord } from './records.js';

export const syncReads = {
  /** The runs found among `ids` (cypher/sync/runs-by-id). */
  runsByIds: async (tx: Tx, ids: readonly string[]): Promise<SyncRunRecord[]> => (await tx.run<{ run: SyncRunRecord }>('sync/runs-by-id', { ids })).map((r) => r.run),
};
