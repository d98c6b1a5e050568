/**
 * The event log: every change that subscribers care about records an event on its unit of work,
 * recorded in the same transaction as the change (no event without its change, no change without
 * its event). The write records its events as pending, without a seq, touching no shared node;
 * once it has committed, the sequencer (sequencer.ts) gives them their seqs, and delivery to
 * subscribers (in-process or through Redis) only ever sees sequenced events.
 */
import { batchesOf } from '../batches.js';
import type { Tx } from '../db/database.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { newId, now } from '../ids.js';

export { SYNC_EVENT_TYPES, TASK_EVENT_TYPES, type DomainEvent, type SyncEventType, type TaskEventType } from './domain.js';

const EVENT_BATCH = 5000;

/**
 * When this write recorded its events, in ms with sub-ms resolution: monotonic on this instance,
 * so a write that starts after another committed here is always stamped after it.
 */
export const stampOf = (): number => performance.timeOrigin + performance.now();

/**
 * Records the events a unit of work recorded (`tx.unit.recordEvents`) as pending, inside its
 * transaction and after its work (a Database finisher). They get their seqs after commit.
 */
export async function appendEvents(tx: Tx, unit: UnitOfWork): Promise<void> {
  if (unit.events.length === 0) return;
  const at = now();
  const unitId = newId();
  const stamp = stampOf();
  let ordinal = 0;
  for (const batch of batchesOf(unit.events, EVENT_BATCH)) {
    const rows = batch.map((e) => ({
      unitId,
      ordinal: ordinal++,
      stamp,
      type: e.type,
      taskId: 'taskId' in e ? e.taskId : null,
      runId: 'runId' in e ? e.runId : null,
      profileId: e.profileId,
      userId: 'userId' in e ? e.userId : null,
      payload: e.payload ? JSON.stringify(e.payload) : null,
    }));
    await tx.run('events/record-pending-events', { events: rows, now: at });
  }
}
