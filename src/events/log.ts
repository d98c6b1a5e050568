/**
 * The event log: every change that subscribers care about records an event on its unit of work,
 * recorded in the same transaction as the change (no event without its change, no change without
 * its event). The write records its events as pending, without a seq, touching no shared node;
 * once it has committed, the sequencer (sequencer.ts) gives them their seqs, and delivery to
 * subscribers (in-process or through Redis) only ever sees sequenced events.
 */
import type { UnitOfWork } from '../db/unit-of-work.js';
import { newId } from '../ids.js';

export { SYNC_EVENT_TYPES, TASK_EVENT_TYPES, type DomainEvent, type SyncEventType, type TaskEventType } from './domain.js';

/**
 * When this write recorded its events, in ms with sub-ms resolution: monotonic on this instance,
 * so a write that starts after another committed here is always stamped after it.
 */
export const stampOf = (): number => performance.timeOrigin + performance.now();

/**
 * A write's events as they are recorded pending (cypher/db/finish-write.cypher): what all of
 * them share once (the write's id and stamp), and each field as one list, the event's ordinal its
 * index (payloads as JSON text). Parallel lists, not a map per event: the driver encodes a map's
 * keys again for every row, which for a sync batch's thousands of events cost more than Neo4j's
 * work on them.
 */
export interface PendingEvents {
  unitId: string;
  stamp: number;
  types: string[];
  taskIds: (string | null)[];
  runIds: (string | null)[];
  profileIds: (string | null)[];
  userIds: (string | null)[];
  payloads: (string | null)[];
}

/**
 * The events a unit of work recorded (`tx.unit.recordEvents`), as pending columns, to be recorded
 * inside its transaction after its work (src/finish-write.ts, a Database finisher); null when it
 * recorded none. They get their seqs after commit.
 */
export function pendingEventsOf(unit: UnitOfWork): PendingEvents | null {
  if (unit.events.length === 0) return null;
  const events = unit.events;
  return {
    unitId: newId(),
    stamp: stampOf(),
    types: events.map((e) => e.type),
    taskIds: events.map((e) => ('taskId' in e ? e.taskId : null)),
    runIds: events.map((e) => ('runId' in e ? e.runId : null)),
    profileIds: events.map((e) => e.profileId),
    userIds: events.map((e) => ('userId' in e ? e.userId : null)),
    payloads: events.map((e) => (e.payload ? JSON.stringify(e.payload) : null)),
  };
}
