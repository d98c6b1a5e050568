/**
 * Replay from a cursor: a cursor is the global id of an event's seq, and a subscriber resumes
 * after the last one it received. A cursor is refused when it is ahead of the log or older than
 * what the log still keeps. Reads of the log (replay pages and delivery passes) take
 * EVENT_READ_BATCH events at a time.
 */
import type { Database } from '../db/database.js';
import { badInput } from '../errors.js';
import { decodeGlobalId, encodeGlobalId } from '../ids.js';
import { eventReads } from './repository.js';

export const EVENT_READ_BATCH = 1000;

export const cursorOf = (seq: number): string => encodeGlobalId('Event', String(seq));

export function seqOfCursor(cursor: string): number {
  const { type, id } = decodeGlobalId(cursor);
  const seq = Number(id);
  if (type !== 'Event' || !Number.isSafeInteger(seq) || seq < 0) throw badInput('Invalid event cursor');
  return seq;
}

/** Refuses a replay after `after` unless the log still holds every event since it. */
export async function checkReplayable(db: Database, after: number, retentionMs: number): Promise<void> {
  const { head, oldest } = await db.read('events.checkReplayable', (tx) => eventReads.bounds(tx));
  if (after > head) throw badInput('Unknown event cursor: it is ahead of the event log');
  if (after < head && (oldest === null || oldest > after + 1)) {
    throw badInput(`Event cursor too old: events are kept ${Math.round(retentionMs / 3600_000)} hours and those after it were pruned; subscribe without "after" and reload the current state`);
  }
}
