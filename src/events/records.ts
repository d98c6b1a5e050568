/** Events as stored and as delivered; no GraphQL in here. */
import { SYNC_EVENT_TYPES, TASK_EVENT_TYPES } from './log.js';
import type { TaskRecord } from '../workflow/records.js';
import type { DomainEvent } from './log.js';

export type EventType = DomainEvent['type'];

/** One event as the log keeps it (and as Redis carries it between instances). */
export interface StoredEvent {
  seq: number;
  type: EventType;
  at: string;
  taskId: string | null;
  runId: string | null;
  profileId: string | null;
  userId: string | null;
  payload: Record<string, unknown> | null;
}

/** An event on its way to subscribers, with the task it is about as it is now (read once per batch). */
export interface Delivery {
  event: StoredEvent;
  task: TaskRecord | null;
  /** Set on the last result of a subscription ended by the server (src/events/subscription.ts `end`): resolving it throws this. */
  refusal?: Error;
}

const TASK_TYPES: ReadonlySet<string> = new Set(TASK_EVENT_TYPES);
const SYNC_TYPES: ReadonlySet<string> = new Set(SYNC_EVENT_TYPES);

/** An event for taskEvents: about a task, of one of the TaskEventType values. */
export const isTaskEvent = (event: StoredEvent): boolean => event.taskId !== null && TASK_TYPES.has(event.type);
/** An event for syncEvents: about a run, of one of the SyncEventType values. */
export const isSyncEvent = (event: StoredEvent): boolean => event.runId !== null && SYNC_TYPES.has(event.type);

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * The users who may decide the task now, as the event's payload names them. The workflow writes
 * `approverIds`; the other spellings are accepted so that a producer's wording does not silently
 * hide tasks from their reviewers.
 */
export function approverIdsOf(event: StoredEvent): string[] {
  const p = event.payload ?? {};
  return [...stringList(p.approverIds), ...stringList(p.approverUserIds), ...stringList(p.approvers)];
}

function firstNumber(payload: Record<string, unknown> | null, keys: string[]): number | null {
  for (const key of keys) {
    const value = payload?.[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

/** SYNC_PAUSED: how many unenrollments were staged for review. */
export const stagedRemovalsOf = (event: StoredEvent): number | null =>
  firstNumber(event.payload, ['stagedUnenrollments', 'stagedRemovals', 'toUnenroll', 'unenrollCount', 'staged']);

/** SYNC_PROGRESS: how many of how many users were processed. */
export function progressOf(event: StoredEvent): { processed: number; total: number } | null {
  const processed = firstNumber(event.payload, ['processed']);
  const total = firstNumber(event.payload, ['total']);
  return processed === null || total === null ? null : { processed, total };
}

interface EventRow {
  seq: number;
  type: EventType;
  at: string;
  taskId: string | null;
  runId: string | null;
  profileId: string | null;
  userId: string | null;
  payload: string | null;
}

export function parseEvent(row: EventRow): StoredEvent {
  let payload: Record<string, unknown> | null = null;
  if (row.payload) {
    try {
      payload = JSON.parse(row.payload) as Record<string, unknown>;
    } catch {
      payload = null;
    }
  }
  return {
    seq: Number(row.seq),
    type: row.type,
    at: row.at,
    taskId: row.taskId ?? null,
    runId: row.runId ?? null,
    profileId: row.profileId ?? null,
    userId: row.userId ?? null,
    payload,
  };
}

export type { EventRow };
