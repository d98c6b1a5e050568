/**
 * What a write leaves for after its commit, recorded last inside its transaction (a Database
 * finisher): its audit entries and its events, both pending, in one statement
 * (cypher/db/record-pending.cypher; a write with thousands of events adds one per 5,000 more).
 * Neither takes a lock that another write needs: the sealer (src/audit/sealer.ts) chains the
 * entries and the sequencer (src/events/sequencer.ts) gives the events their seqs, after commit.
 */
import { pendingEntriesOf } from './audit/trail.js';
import { batchesOf } from './batches.js';
import type { Tx } from './db/database.js';
import type { UnitOfWork } from './db/unit-of-work.js';
import { pendingEventsOf } from './events/log.js';
import { now } from './ids.js';

const EVENT_BATCH = 5000;

export async function recordPending(tx: Tx, unit: UnitOfWork): Promise<void> {
  const entries = pendingEntriesOf(unit);
  const events = pendingEventsOf(unit);
  if (entries.length === 0 && events.length === 0) return;
  const at = now();
  const batches = events.length > 0 ? batchesOf(events, EVENT_BATCH) : [[]];
  for (const [i, batch] of batches.entries()) await tx.run('db/record-pending', { entries: i === 0 ? entries : [], events: batch, now: at });
}
