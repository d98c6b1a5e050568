/**
 * Tasks: one requested change each. This file is the single entry point for creating and
 * cancelling them; the workflow (policies, approvals, provisioning, cascades) builds on it.
 */
import type { Database, Tx } from '../db/database.js';
import { newId, now } from '../ids.js';
import { openKeyOf, type TaskRecord, type TaskRequest } from './records.js';

export const TASK_BATCH = 2000;

export interface CreatedTasks {
  /** Ids of the tasks created now. */
  created: string[];
  /** Ids of the open tasks that already covered a request. */
  existing: string[];
}

export class TaskService {
  constructor(protected readonly db: Database) {}

  /**
   * Creates tasks in bounded batches inside the caller's transaction; a request already covered by
   * an open task of the same kind, user and entitlement returns that task instead.
   */
  async createIn(tx: Tx, requests: TaskRequest[]): Promise<CreatedTasks> {
    const result: CreatedTasks = { created: [], existing: [] };
    const at = now();
    for (let i = 0; i < requests.length; i += TASK_BATCH) {
      const rows = requests.slice(i, i + TASK_BATCH).map((r) => ({
        id: newId(),
        openKey: openKeyOf(r),
        kind: r.kind,
        origin: r.origin,
        userId: r.userId,
        entitlementId: r.entitlementId,
        profileId: r.profileId ?? null,
        parentId: r.parentId ?? null,
        requestedById: r.requestedById ?? null,
        reason: r.reason ?? null,
        enrollVia: r.enrollVia ?? null,
        syncRunId: r.syncRunId ?? null,
      }));
      for (const row of await tx.run<{ id: string; created: boolean }>('tasks/create-tasks', { rows, now: at })) {
        (row.created ? result.created : result.existing).push(row.id);
      }
    }
    return result;
  }

  async create(requests: TaskRequest[]): Promise<CreatedTasks> {
    return this.db.write((tx) => this.createIn(tx, requests));
  }

  async cancelIn(tx: Tx, ids: string[], reason: string): Promise<string[]> {
    const cancelled: string[] = [];
    for (let i = 0; i < ids.length; i += TASK_BATCH) {
      const row = await tx.one<{ cancelled: string[] }>('tasks/cancel-tasks', { ids: ids.slice(i, i + TASK_BATCH), reason, now: now() });
      cancelled.push(...(row?.cancelled ?? []));
    }
    return cancelled;
  }

  async byIds(tx: Tx, ids: readonly string[]): Promise<TaskRecord[]> {
    return (await tx.run<{ task: TaskRecord }>('tasks/tasks-by-id', { ids })).map((r) => r.task);
  }
}
