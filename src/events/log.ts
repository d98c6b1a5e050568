/**
 * The event log: every change that subscribers care about records an event on its unit of work,
 * appended in the same transaction as the change (no event without its change, no change without
 * its event). Delivery to subscribers (in-process or through Redis) starts once it has committed.
 */
import { batchesOf } from '../batches.js';
import type { Tx } from '../db/database.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { now } from '../ids.js';

export { SYNC_EVENT_TYPES, TASK_EVENT_TYPES, type DomainEvent, type SyncEventType, type TaskEventType } from './domain.js';

const EVENT_BATCH = 5000;

/**
 * Appends the events a unit of work recorded (`tx.unit.recordEvents`), inside its transaction and
 * after its work (a Database finisher): consecutive sequence numbers in commit order.
 */
export async function appendEvents(tx: Tx, unit: UnitOfWork): Promise<void> {
  if (unit.events.length === 0) return;
  const at = now();
  for (const batch of batchesOf(unit.events, EVENT_BATCH)) {
    const rows = batch.map((e) => ({
      type: e.type,
      taskId: 'taskId' in e ? e.taskId : null,
      runId: 'runId' in e ? e.runId : null,
      profileId: e.profileId,
      userId: 'userId' in e ? e.userId : null,
      payload: e.payload ? JSON.stringify(e.payload) : null,
    }));
    await tx.run('events/append-events', { events: rows, now: at });
  }
}
