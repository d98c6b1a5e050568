/**
 * The event log: every change that subscribers care about records an event on its unit of work,
 * appended in the same transaction as the change (no event without its change, no change without
 * its event). Delivery to subscribers (in-process or through Redis) starts once it has committed.
 */
import { batchesOf } from '../batches.js';
import type { Tx } from '../db/database.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { now } from '../ids.js';

/** What taskEvents delivers: a task's transitions, and the memberships its completion made or ended. */
export const TASK_EVENT_TYPES = [
  'TASK_CREATED',
  'TASK_STEP_APPROVED',
  'TASK_APPROVED',
  'TASK_DENIED',
  'TASK_PROVISIONING',
  'TASK_DONE',
  'TASK_FAILED',
  'TASK_CANCELLED',
  'MEMBER_ENROLLED',
  'MEMBER_UNENROLLED',
] as const;
/** What syncEvents delivers: a sync run's transitions and progress. */
export const SYNC_EVENT_TYPES = ['SYNC_STARTED', 'SYNC_PROGRESS', 'SYNC_COMPLETED', 'SYNC_PAUSED', 'SYNC_RESUMED', 'SYNC_DISCARDED', 'SYNC_FAILED'] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];
export type SyncEventType = (typeof SYNC_EVENT_TYPES)[number];

export interface DomainEvent {
  type: TaskEventType | SyncEventType;
  taskId?: string | null;
  runId?: string | null;
  profileId?: string | null;
  userId?: string | null;
  payload?: Record<string, unknown> | null;
}

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
      taskId: e.taskId ?? null,
      runId: e.runId ?? null,
      profileId: e.profileId ?? null,
      userId: e.userId ?? null,
      payload: e.payload ? JSON.stringify(e.payload) : null,
    }));
    await tx.run('events/append-events', { events: rows, now: at });
  }
}
