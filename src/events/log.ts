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

/** An event as it is recorded pending (cypher/db/record-pending.cypher), payload as JSON text. */
export interface PendingEventRow {
  unitId: string;
  ordinal: number;
  stamp: number;
  type: string;
  taskId: string | null;
  runId: string | null;
  profileId: string | null;
  userId: string | null;
  payload: string | null;
}

/**
 * The events a unit of work recorded (`tx.unit.recordEvents`), as pending rows, to be recorded
 * inside its transaction after its work (src/pending.ts, a Database finisher). They get their
 * seqs after commit.
 */
export function pendingEventsOf(unit: UnitOfWork): PendingEventRow[] {
  if (unit.events.length === 0) return [];
  const unitId = newId();
  const stamp = stampOf();
  return unit.events.map((e, ordinal) => ({
    unitId,
    ordinal,
    stamp,
    type: e.type,
    taskId: 'taskId' in e ? e.taskId : null,
    runId: 'runId' in e ? e.runId : null,
    profileId: e.profileId,
    userId: 'userId' in e ? e.userId : null,
    payload: e.payload ? JSON.stringify(e.payload) : null,
  }));
}
