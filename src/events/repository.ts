/** Reads and housekeeping of the event log: named Cypher, rows parsed here. */
import type { Tx } from '../db/database.js';
import type { TaskRecord } from '../workflow/records.js';
import { taskReads } from '../workflow/repository.js';
import { parseEvent, type EventRow, type StoredEvent } from './records.js';

export const eventReads = {
  /** Up to `limit` events after `after`, in order, and the log's head; with `types`, only events of those (the others are not read). */
  async after(tx: Tx, after: number, limit: number, types: readonly string[] | null = null): Promise<{ head: number; events: StoredEvent[] }> {
    const row = types
      ? await tx.one<{ head: number; events: EventRow[] }>('events/read-events-of-types', { after, types, limit })
      : await tx.one<{ head: number; events: EventRow[] }>('events/read-events', { after, limit });
    return { head: Number(row?.head ?? 0), events: (row?.events ?? []).map(parseEvent) };
  },
  async bounds(tx: Tx): Promise<{ head: number; oldest: number | null }> {
    const row = await tx.one<{ head: number; oldest: number | null }>('events/event-bounds');
    return { head: Number(row?.head ?? 0), oldest: row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest) };
  },
  async tasks(tx: Tx, ids: readonly string[]): Promise<TaskRecord[]> {
    if (ids.length === 0) return [];
    return taskReads.byIds(tx, ids);
  },
};

export const eventWrites = {
  async prune(tx: Tx, before: string, limit: number): Promise<number> {
    const row = await tx.one<{ deleted: number }>('events/prune-events', { before, limit });
    return Number(row?.deleted ?? 0);
  },
  async claimNotification(tx: Tx, seq: number, instance: string, now: string, staleBefore: string): Promise<boolean> {
    const row = await tx.one<{ claimed: boolean }>('events/claim-notification', { seq, instance, now, staleBefore });
    return row?.claimed === true;
  },
  async recordNotification(tx: Tx, seq: number, state: 'SENT' | 'FAILED', attempts: number, error: string | null, now: string): Promise<void> {
    await tx.run('events/record-notification', { seq, state, attempts, error, now });
  },
};
