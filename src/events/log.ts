/**
 * The event log: every change that subscribers care about appends an event in the same
 * transaction as the change (no event without its change, no change without its event).
 * Delivery to subscribers (in-process or through Redis) hangs off `afterCommit`.
 */
import { batchesOf } from '../batches.js';
import type { Tx } from '../db/database.js';
import { now } from '../ids.js';

export type TaskEventType =
  | 'TASK_CREATED'
  | 'TASK_STEP_APPROVED'
  | 'TASK_APPROVED'
  | 'TASK_DENIED'
  | 'TASK_PROVISIONING'
  | 'TASK_DONE'
  | 'TASK_FAILED'
  | 'TASK_CANCELLED';
export type SyncEventType = 'SYNC_STARTED' | 'SYNC_PROGRESS' | 'SYNC_COMPLETED' | 'SYNC_PAUSED' | 'SYNC_RESUMED' | 'SYNC_DISCARDED' | 'SYNC_FAILED';
export type MemberEventType = 'MEMBER_ENROLLED' | 'MEMBER_UNENROLLED';

export interface DomainEvent {
  type: TaskEventType | SyncEventType | MemberEventType;
  taskId?: string | null;
  runId?: string | null;
  profileId?: string | null;
  userId?: string | null;
  payload?: Record<string, unknown> | null;
}

const EVENT_BATCH = 5000;

export class EventLog {
  private readonly listeners: (() => void)[] = [];

  /** Appends inside the caller's write transaction. */
  async appendIn(tx: Tx, events: DomainEvent[]): Promise<void> {
    const at = now();
    for (const batch of batchesOf(events, EVENT_BATCH)) {
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

  /** Call after a transaction that appended events has committed: delivery starts from here. */
  afterCommit(): void {
    for (const listener of this.listeners) listener();
  }

  onCommit(listener: () => void): void {
    this.listeners.push(listener);
  }
}
