/**
 * Pruning of the event log: events older than the retention are deleted, oldest first, in
 * bounded batches. The stream runs it every PRUNE_EVERY_MS; a cursor from before what is kept
 * is then refused (src/events/replay.ts).
 */
import type { Database } from '../db/database.js';
import { eventWrites } from './repository.js';

/** Events older than this may be pruned; a cursor from before what is kept is refused. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;
export const PRUNE_EVERY_MS = 3600 * 1000;
const PRUNE_BATCH = 5000;

/** Deletes the events recorded before `before` (an ISO time); resolves with how many. */
export async function pruneEvents(db: Database, before: string): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.write('events.pruneEvents', (tx) => eventWrites.prune(tx, before, PRUNE_BATCH));
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}
