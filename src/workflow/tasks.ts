/**
 * Tasks: one requested change each. This file is the single entry point for creating and
 * cancelling them: creating one also moves it through its policy as far as it goes at once
 * (src/workflow/engine.ts), in the caller's transaction.
 */
import type { Database, Tx } from '../db/database.js';
import type { TaskRecord, TaskRequest } from './records.js';
import { taskReads } from './repository.js';
import { Outcome, WorkflowEngine, type WorkflowDefaults } from './engine.js';

export const TASK_BATCH = 2000;

export interface CreatedTasks {
  /** Ids of the tasks created now. */
  created: string[];
  /** Ids of the open tasks that already covered a request. */
  existing: string[];
  /** Tasks that reached DONE in this call, cascades included. */
  completed: number;
}

/** The filters of a task list: states, a profile, a subject, or the inbox of a viewer (workflow/rules.ts inboxOf). */
export interface TaskFilters {
  states: string[] | null;
  profileId: string | null;
  userId: string | null;
  assignedTo: { userId: string | null; admin: boolean; decidesForAdmins: boolean } | null;
}

export class TaskService {
  readonly engine: WorkflowEngine;

  /** `defaults`: the approval steps of tasks whose entitlement (or profile) names no policy. */
  constructor(
    private readonly db: Database,
    defaults: WorkflowDefaults,
  ) {
    this.engine = new WorkflowEngine(defaults);
  }

  /**
   * Creates tasks in bounded batches inside the caller's transaction; a request already covered by
   * an open task of the same kind, user and entitlement returns that task instead. Each new task
   * follows its policy as far as it goes now (zero steps: approved; system-provisioned: done, with
   * the enrollment / unenrollment cascades); its events and the entitlements whose holders changed
   * are recorded on the transaction's unit of work.
   */
  async createIn(tx: Tx, requests: TaskRequest[]): Promise<CreatedTasks> {
    const outcome = new Outcome();
    await this.engine.createIn(tx, requests, outcome);
    this.recordIn(tx, outcome);
    return { created: outcome.created, existing: outcome.existing, completed: outcome.completed };
  }

  async create(requests: TaskRequest[]): Promise<CreatedTasks> {
    return this.db.write('workflow.create', (tx) => this.createIn(tx, requests));
  }

  /** Cancels those of the tasks still open (appending TASK_CANCELLED); returns the ids cancelled. */
  async cancelIn(tx: Tx, ids: string[], reason: string, byId: string | null = null): Promise<string[]> {
    const outcome = new Outcome();
    const cancelled = await this.engine.cancel(tx, ids, reason, byId, outcome);
    this.recordIn(tx, outcome);
    return cancelled;
  }

  /**
   * One write transaction of workflow work (`workflow.<name>`): the work moves tasks through the
   * engine with a fresh Outcome per attempt (the driver may retry it), which is recorded on the
   * transaction's unit of work once the work is done.
   */
  async write<T>(name: string, work: (tx: Tx, outcome: Outcome) => Promise<T>): Promise<T> {
    return this.db.write(`workflow.${name}`, async (tx) => {
      const outcome = new Outcome();
      const result = await work(tx, outcome);
      this.recordIn(tx, outcome);
      return result;
    });
  }

  /** Records what a unit of workflow work gathered (its events, the holders it changed) on its transaction's unit. */
  recordIn(tx: Tx, outcome: Outcome): void {
    tx.unit.recordEvents(outcome.events);
    tx.unit.holdersChanged(outcome.changedEntitlementIds);
  }

  /** One page of task ids (ordered by id, after `after`) and how many match. */
  async list(filters: TaskFilters, after: string | null, limit: number): Promise<{ ids: string[]; total: number }> {
    return this.db.read('workflow.list', async (tx) => ({
      ids: (await tx.run<{ id: string }>('tasks/list-tasks', { ...filters, after, limit })).map((r) => r.id),
      total: (await tx.one<{ total: number }>('tasks/count-tasks', { ...filters }))?.total ?? 0,
    }));
  }

  async byIds(tx: Tx, ids: readonly string[]): Promise<TaskRecord[]> {
    return taskReads.byIds(tx, ids);
  }
}
