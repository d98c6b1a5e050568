/**
 * What a write records beside its own statements, last inside its transaction (the Database
 * finisher), in one statement (cypher/db/finish-write.cypher; a write with thousands of events
 * adds one per 5,000 more): its audit entries and its events, both pending, and the profiles it
 * marks as needing a sync (src/sync/marks.ts). The pending entries and events take no lock that
 * another write needs: the sealer (src/audit/sealer.ts) chains the entries and the sequencer
 * (src/events/sequencer.ts) gives the events their seqs, after commit.
 */
import { pendingEntriesOf } from './audit/trail.js';
import type { Tx } from './db/database.js';
import type { UnitOfWork } from './db/unit-of-work.js';
import { pendingEventsOf } from './events/log.js';
import { now } from './ids.js';
import { marksOf } from './sync/marks.js';

const EVENT_BATCH = 5000;

export async function finishWrite(tx: Tx, unit: UnitOfWork): Promise<void> {
  const entries = pendingEntriesOf(unit);
  const events = pendingEventsOf(unit);
  const marks = marksOf(unit);
  if (entries.length === 0 && events === null && marks === null) return;
  const at = now();
  const count = events?.types.length ?? 0;
  for (let from = 0; from === 0 || from < count; from += EVENT_BATCH) {
    const to = from + EVENT_BATCH;
    const first = from === 0;
    await tx.run('db/finish-write', {
      entries: first ? entries : [],
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
      conditionsChanged: first ? (marks?.conditionsChanged ?? []) : [],
      profilesToSync: first ? (marks?.profilesToSync ?? []) : [],
    });
  }
}
