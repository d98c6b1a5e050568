/**
 * What a write leaves for after its commit, recorded last inside its transaction (a Database
 * finisher): its audit entries and its events, both pending, in one statement
 * (cypher/db/record-pending.cypher; a write with thousands of events adds one per 5,000 more).
 * Neither takes a lock that another write needs: the sealer (src/audit/sealer.ts) chains the
 * entries and the sequencer (src/events/sequencer.ts) gives the events their seqs, after commit.
 */
import { pendingEntriesOf } from './audit/trail.js';
import type { Tx } from './db/database.js';
import type { UnitOfWork } from './db/unit-of-work.js';
import { pendingEventsOf } from './events/log.js';
import { now } from './ids.js';

const EVENT_BATCH = 5000;

export async function recordPending(tx: Tx, unit: UnitOfWork): Promise<void> {
  const entries = pendingEntriesOf(unit);
  const events = pendingEventsOf(unit);
  if (entries.length === 0 && events === null) return;
  const at = now();
  const count = events?.types.length ?? 0;
  for (let from = 0; from === 0 || from < count; from += EVENT_BATCH) {
    const to = from + EVENT_BATCH;
    await tx.run('db/record-pending', {
      entries: from === 0 ? entries : [],
      unitId: events?.unitId ?? null,
      stamp: events?.stamp ?? null,
      fromOrdinal: from,
      types: events?.types.slice(from, to) ?? [],
      taskIds: events?.taskIds.slice(from, to) ?? [],
      runIds: events?.runIds.slice(from, to) ?? [],
      profileIds: events?.profileIds.slice(from, to) ?? [],
      userIds: events?.userIds.slice(from, to) ?? [],
      payloads: events?.payloads.slice(from, to) ?? [],
      now: at,
    });
  }
}
